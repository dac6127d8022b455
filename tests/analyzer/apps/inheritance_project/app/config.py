class Settings:
    RECYCLABLE = ["Bottle", "Can", "Carton"]
    MIN_SCORE = 0.7
