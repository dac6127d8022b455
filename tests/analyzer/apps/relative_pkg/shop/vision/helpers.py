VEG = ["Carrot"]
