from google.cloud import speech

def listen(requests_iter, config):
    client = speech.SpeechClient()
    responses = client.streaming_recognize(config=config, requests=requests_iter)
    for response in responses:
        for result in response.results:
            if not result.is_final:
                continue
            transcript = result.alternatives[0].transcript.lower()
            if "stop" in transcript or "quit" in transcript:
                return "exit"
            elif "help" in transcript:
                show_help()
