from rules.verdict import vote
from vision_io import camera_labels

for frame in ["f0.jpg", "f1.jpg"]:
    seen = []
    seen.extend(camera_labels.frame_labels(frame))
    print(vote(seen))
