import boto3, time
rek = boto3.client("rekognition", region_name="us-west-2")
INTRUDERS = ("Person", "Human")
ANIMALS = ("Dog", "Cat", "Raccoon")

def check_frame(jpeg):
    labels = rek.detect_labels(Image={"Bytes": jpeg}, MaxLabels=15, MinConfidence=60)["Labels"]
    names = {l["Name"] for l in labels if l["Confidence"] > 75}
    if names.intersection(INTRUDERS):
        sound_alarm()
        return "intruder"
    if names.intersection(ANIMALS):
        return "animal"
    return "clear"

def sound_alarm():
    pass
