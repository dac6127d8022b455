from app.base import BaseDetector
from app.config import Settings

class Sorter(BaseDetector):
    def decide(self, content):
        for lab in self.labels(content):
            if lab.score < Settings.MIN_SCORE:
                continue
            if lab.description in Settings.RECYCLABLE:
                return "recycle"
        return "trash"
