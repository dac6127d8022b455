import tweepy
from google.cloud import language_v1

nl = language_v1.LanguageServiceClient()
NEGATIVE_CUTOFF = -0.3

def mood_of(text):
    doc = language_v1.Document(content=text, type_=language_v1.Document.Type.PLAIN_TEXT)
    return nl.analyze_sentiment(document=doc).document_sentiment

def reply(api, tweet):
    s = mood_of(tweet.text)
    if s.score < NEGATIVE_CUTOFF:
        api.update_status("Sorry to hear that!", in_reply_to_status_id=tweet.id)
    elif s.score > 0.6 and s.magnitude > 0.5:
        api.create_favorite(tweet.id)
