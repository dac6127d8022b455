"""Help-desk router (Google NL classify_text): the first confident category decides the team."""

from google.cloud import language_v1

TEAMS = {
    "/Computers & Electronics": "it-support",
    "/Law & Government": "legal",
    "/Health": "occupational-health",
    "/Jobs & Education": "hr",
}


def team_for(message):
    client = language_v1.LanguageServiceClient()
    document = language_v1.Document(content=message, type_=language_v1.Document.Type.PLAIN_TEXT)
    for category in client.classify_text(document=document).categories:
        if category.confidence < 0.5:
            continue
        for prefix, team in TEAMS.items():
            if category.name.startswith(prefix):
                return team
    return "front-desk"
