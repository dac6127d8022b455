# Voice assistant: commands recognised in the transcript (substring tests).
from google.cloud import speech

LIGHTS_ON = ["lights on", "turn on the lights"]


def handle(audio_bytes):
    client = speech.SpeechClient()
    audio = speech.RecognitionAudio(content=audio_bytes)
    config = speech.RecognitionConfig(language_code="en-US")
    response = client.recognize(config=config, audio=audio)
    for result in response.results:
        transcript = result.alternatives[0].transcript.lower()
        if any(phrase in transcript for phrase in LIGHTS_ON):
            return switch_lights(True)
        if "music" in transcript:
            return play_music()
    return None


def switch_lights(on):
    return on


def play_music():
    return "playing"
