import discord
from google.cloud import language_v1

client = discord.Client()
nl = language_v1.LanguageServiceClient()

async def score_of(text):
    doc = language_v1.Document(content=text, type_=language_v1.Document.Type.PLAIN_TEXT)
    response = nl.analyze_sentiment(request={"document": doc})
    return response.document_sentiment.score

@client.event
async def on_message(message):
    if message.author == client.user:
        return
    score = await score_of(message.content)
    if score < -0.6:
        await message.delete()
    elif score < -0.2:
        await message.channel.send("Please keep it friendly")

class Moderator:
    def __init__(self):
        self.nl = language_v1.LanguageServiceClient()

    def analyze(self, text):
        return self.nl.analyze_sentiment(document={"content": text, "type_": 1}).document_sentiment

    def handle(self, text):
        s = self.analyze(text)
        if s.score <= -0.5 and s.magnitude > 2:
            return "ban"
        return "ok"
