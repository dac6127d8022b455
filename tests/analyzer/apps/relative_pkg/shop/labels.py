FRUIT = ["Apple", "Banana"]
