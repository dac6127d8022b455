"""Community board (Google NL classify_text): hold posts about sensitive topics for a moderator."""

from google.cloud import language_v1

SENSITIVE = ["/Health/Substance Abuse", "/People & Society/Ethnic & Identity Groups", "/Law & Government/Politics"]

client = language_v1.LanguageServiceClient()


def needs_moderation(post):
    document = {"content": post, "type_": language_v1.Document.Type.PLAIN_TEXT}
    response = client.classify_text(request={"document": document})
    for category in response.categories:
        if category.name in SENSITIVE and category.confidence > 0.4:
            return True
    return False
