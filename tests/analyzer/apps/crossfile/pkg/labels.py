FOOD = ["Food", "Fruit", "Vegetable"]
FOOD += ["Snack"]
PAPER = ["Paper", "Cardboard"]
PAPER.extend(["Newspaper"])
