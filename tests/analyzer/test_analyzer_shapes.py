"""One unit test per shape the analyzer must recognise (issue 2), on small inline apps."""

from __future__ import annotations

import textwrap

import pytest

from chameleon_server.analyzer import analyze_source


def one(src: str):
    sites = analyze_source(textwrap.dedent(src), "app.py")
    assert len(sites) == 1, sites
    return sites[0]


def cats(site):
    return [(c.name, c.labels) for c in site.decision.categories]


VISION = "from google.cloud import vision\nclient = vision.ImageAnnotatorClient()\n"


def test_alias_and_span_is_the_call_expression():
    s = one("""
        from google.cloud import vision as v
        c = v.ImageAnnotatorClient()
        resp = c.label_detection(image=img)
        if 'Cat' in [l.description for l in resp.label_annotations]:
            meow()
    """)
    assert s.api == "google.vision.label_detection" and s.task == "image_classification"
    assert (s.line, s.column, s.end_line, s.end_column) == (4, 8, 4, 36)  # end: 1-based, exclusive
    assert s.decision.type == "true_false" and cats(s) == [("meow", ["Cat"])]


def test_vision_v1_client_passed_as_argument_and_top_k_slice():
    s = one("""
        from google.cloud import vision_v1
        def check(client: vision_v1.ImageAnnotatorClient, image):
            labels = client.label_detection(image=image).label_annotations[:3]
            for l in labels:
                if l.description == 'Dog':
                    return True
            return False
    """)
    assert s.decision.top_k == 3 and s.decision.type == "true_false"
    assert s.decision.default.outcome == "return False"


def test_if_elif_on_each_label_with_return_is_output_rank():
    s = one(VISION + """
def f(image):
    for label in client.label_detection(image=image).label_annotations:
        if label.description in ['Food', 'Fruit']:
            return 'compost'
        elif label.description in ['Plastic']:
            return 'recycle'
    return 'trash'
""")
    d = s.decision
    assert (d.type, d.ordering) == ("multi_choice", "output_rank")
    assert [c.labels for c in d.categories] == [["Food", "Fruit"], ["Plastic"]]
    assert d.default.outcome == "return 'trash'" and d.default.line == 10


def test_any_over_collections_in_elif_chain_is_category_priority():
    s = one(VISION + """
FOOD = {'food', 'fruit'}
def f(image):
    names = [l.description.lower() for l in client.label_detection(image=image).label_annotations]
    if any(n in FOOD for n in names):
        return 'compost'
    elif 'plastic' in names:
        return 'recycle'
""")
    d = s.decision
    assert (d.type, d.ordering, d.case_insensitive) == ("multi_choice", "category_priority", True)
    assert cats(s) == [("FOOD", ["food", "fruit"]), ("recycle", ["plastic"])]


def test_independent_ifs_are_multi_select():
    s = one(VISION + """
def f(image):
    names = {l.description for l in client.label_detection(image=image).label_annotations}
    if 'Dog' in names:
        notify('dog')
    if 'Cat' in names:
        notify('cat')
""")
    assert s.decision.type == "multi_select" and s.decision.ordering is None


def test_loop_without_exit_counting_is_multi_select():
    s = one(VISION + """
def f(image):
    counts = {'food': 0, 'paper': 0}
    for l in client.label_detection(image=image).label_annotations:
        if l.description == 'Food':
            counts['food'] += 1
        elif l.description == 'Paper':
            counts['paper'] += 1
    return counts
""")
    assert s.decision.type == "multi_select"


def test_or_chain_of_equalities_is_one_category():
    s = one(VISION + """
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        d = l.description
        if d == 'Cat' or d == 'Kitten' or d == 'Felidae':
            return open_door()
""")
    assert cats(s) == [("open_door", ["Cat", "Kitten", "Felidae"])]


@pytest.mark.parametrize("expr,match,ci", [
    ("l.description.lower().split()[0] == 'dog'", "first_word", True),
    ("'dog' in l.description.split()", "word", False),
    ("'dog' in l.description.lower()", "substring", True),
    ("l.description.startswith('Dog')", "prefix", False),
    ("l.description.upper() == 'DOG'", "exact", True),
])
def test_match_modes(expr, match, ci):
    s = one(VISION + f"""
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if {expr}:
            return 1
""")
    assert (s.decision.match, s.decision.case_insensitive) == (match, ci)


def test_score_filter_in_loop_and_aws_confidence_normalised():
    s = one("""
        import boto3
        rek = boto3.client('rekognition')
        def f(b):
            for label in rek.detect_labels(Image={'Bytes': b})['Labels']:
                if label['Name'] == 'Person' and label['Confidence'] > 85:
                    alarm()
    """)
    assert s.api == "aws.rekognition.detect_labels"
    assert s.decision.min_score == 0.85 and cats(s) == [("alarm", ["Person"])]


def test_min_confidence_and_max_labels_arguments():
    s = one("""
        import boto3
        def f(b, max_labels=4):
            client = boto3.Session().client('rekognition')
            r = client.detect_labels(Image={'Bytes': b}, MaxLabels=max_labels, MinConfidence=75)
            names = [x['Name'] for x in r['Labels']]
            return 'Dog' in names and go()
    """)
    # `return X and go()` branches (short-circuit) is not an if: the test only reaches a return
    assert s.decision is None or (s.decision.min_score == 0.75 and s.decision.top_k == 4)


def test_continue_below_threshold_becomes_min_score():
    s = one(VISION + """
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if l.score < 0.7:
            continue
        if l.description == 'Cat':
            return 'cat'
""")
    assert s.decision.min_score == 0.7 and s.decision.type == "true_false"


def test_sentiment_score_ranges_and_default():
    s = one("""
        from google.cloud import language_v1
        client = language_v1.LanguageServiceClient()
        def f(doc):
            score = client.analyze_sentiment(document=doc).document_sentiment.score
            if score >= 0.5:
                return 'positive'
            elif score <= -0.5:
                return 'negative'
            return 'neutral'
    """)
    d = s.decision
    assert d.type == "score_range"
    assert [c.range for c in d.categories] == [(0.5, None), (None, -0.5)]
    assert d.default.outcome == "return 'neutral'"


def test_chained_comparison_range():
    s = one("""
        from google.cloud import language
        def f(client: language.LanguageServiceClient, doc):
            s = client.analyze_sentiment(document=doc).document_sentiment
            if -0.2 < s.score < 0.2:
                return 'meh'
    """)
    assert s.decision.categories[0].range == (-0.2, 0.2)


def test_comprehend_sentiment_label_decision():
    s = one("""
        import boto3
        comprehend = boto3.client('comprehend')
        def f(t):
            if comprehend.detect_sentiment(Text=t, LanguageCode='en')['Sentiment'] == 'NEGATIVE':
                escalate()
    """)
    assert s.api == "aws.comprehend.detect_sentiment" and cats(s) == [("escalate", ["NEGATIVE"])]


def test_only_printed_stored_or_returned_is_null():
    src = VISION + """
def show(image):
    for l in client.label_detection(image=image).label_annotations:
        print(l.description, l.score)

def keep(image, db):
    db.save([l.description for l in client.label_detection(image=image).label_annotations])

def give(image):
    return client.label_detection(image=image).label_annotations
"""
    sites = analyze_source(src, "app.py")
    assert len(sites) == 3 and all(s.decision is None for s in sites)


def test_helper_in_same_file_returning_names():
    s = one(VISION + """
def names(image):
    return [l.description for l in client.label_detection(image=image).label_annotations]

def main(image):
    if 'Cat' in names(image):
        return 'cat'
    return 'no cat'
""")
    assert cats(s) == [("cat", ["Cat"])] and s.decision.default.outcome == "return 'no cat'"


def test_dict_lookup_groups_keys_by_outcome():
    s = one(VISION + """
BINS = {'Banana': 'compost', 'Apple': 'compost', 'Can': 'recycle'}
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if l.description in BINS:
            return BINS[l.description]
    return 'trash'
""")
    assert s.decision.type == "multi_choice"
    assert cats(s) == [("compost", ["Banana", "Apple"]), ("recycle", ["Can"])]


def test_labels_built_with_plus_extend_and_class_attributes():
    s = one(VISION + """
BASE = ['a']
MORE = BASE + ['b']
MORE.extend(['c'])
class App:
    EXTRA = ('d',)
    def run(self, image):
        for l in client.label_detection(image=image).label_annotations:
            if l.description in MORE or l.description in self.EXTRA:
                return True
""")
    assert sorted(s.decision.categories[0].labels) == ["a", "b", "c", "d"]


def test_unresolvable_list_says_why():
    s = one(VISION + """
import json
ALLOWED = json.load(open('allowed.json'))
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if l.description in ALLOWED:
            return True
""")
    c = s.decision.categories[0]
    assert c.labels == [] and c.unresolved and "run time" in c.unresolved


def test_object_localization_and_text_detection():
    src = VISION + """
def f(image):
    objs = client.object_localization(image=image).localized_object_annotations
    if any(o.name == 'Person' for o in objs):
        ring()
    text = client.text_detection(image=image).text_annotations[0].description
    if 'EXIT' in text:
        leave()
"""
    a, b = analyze_source(src, "app.py")
    assert a.api == "google.vision.object_localization" and a.decision.categories[0].labels == ["Person"]
    assert b.api == "google.vision.text_detection" and b.decision.match == "substring"


def test_app_wrappers_named_like_the_api_are_not_sites():
    src = """
class Rek:
    def detect_labels(self, img):
        return []
    def run(self, img):
        return self.detect_labels(img)

def detect_labels(x):
    return x

def main(w):
    r = Rek()
    r.detect_labels(1)
    detect_labels(2)
"""
    assert analyze_source(src, "app.py") == []


def test_labels_at_and_label_spans_and_compare_at():
    s = one(VISION + """FOOD = ['food', 'fruit']
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if l.description in FOOD:
            return 1
""")
    c = s.decision.categories[0]
    assert c.labels_at == {"file": "app.py", "line": 3, "column": 8, "end_line": 3, "end_column": 25}
    assert [x["label"] for x in c.label_spans] == ["food", "fruit"]
    assert c.label_spans[0]["column"] == 9
    assert s.decision.compare_at["line"] == 6


def test_non_ascii_columns_are_characters():
    s = one(VISION + """
def f(image):
    x = "ééé"; r = client.label_detection(image=image)
""")
    assert s.column == 20


def test_match_statement():
    s = one(VISION + """
def f(image):
    top = client.label_detection(image=image).label_annotations[0].description
    match top:
        case 'Dog' | 'Puppy':
            return 'dog'
        case 'Cat':
            return 'cat'
        case _:
            return 'other'
""")
    assert s.decision.type == "multi_choice" and cats(s) == [("dog", ["Dog", "Puppy"]), ("cat", ["Cat"])]
    assert s.decision.top_k == 1 and s.decision.default.outcome == "return 'other'"


def test_googleapiclient_discovery_request_executed_later():
    s = one("""
        from googleapiclient import discovery
        def f(body_content):
            service = discovery.build('vision', 'v1')
            req = service.images().annotate(body={'requests': [{'image': {'content': body_content},
                'features': [{'type': 'LABEL_DETECTION', 'maxResults': 3}]}]})
            resp = req.execute()
            for lab in resp['responses'][0]['labelAnnotations']:
                if lab['description'] == 'cat':
                    return True
    """)
    assert s.api == "google.vision.label_detection" and s.decision.top_k == 3
    assert s.decision.categories[0].labels == ["cat"]


def test_pre_2017_vision_client_returns_the_label_list():
    s = one("""
        from google.cloud import vision
        def f(path):
            image = vision.Client().image(filename=path)
            for label in image.detect_labels(limit=2):
                if label.description == 'dog':
                    return 'dog'
    """)
    assert s.api == "google.vision.label_detection" and s.decision.top_k == 2


def test_client_factories_and_app_classes():
    src = """
from google.cloud import vision
class Mine:
    def label_detection(self, image):
        return None
def a(img):
    return vision.ImageAnnotatorClient.from_service_account_json('k.json').label_detection(image=img)
def b(img):
    return Mine().label_detection(img)
"""
    sites = analyze_source(src, "app.py")
    assert [s.line for s in sites] == [7]  # the source starts with a newline


def test_if_category_passing_a_choice_on_is_not_a_second_decision():
    s = one(VISION + """
def f(image):
    category = None
    for l in client.label_detection(image=image).label_annotations:
        if l.description == 'Apple':
            category = 'compost'
            break
        elif l.description == 'Can':
            category = 'recycle'
            break
    if category:
        return category
    return 'trash'
""")
    d = s.decision
    assert (d.type, d.ordering) == ("multi_choice", "output_rank")
    assert [c.labels for c in d.categories] == [["Apple"], ["Can"]]


def test_branch_that_only_collects_labels_is_a_filter():
    s = one(VISION + """
GENERIC = ['Font', 'Pattern']
def f(image):
    tags = []
    for l in client.label_detection(image=image).label_annotations:
        if l.description not in GENERIC:
            tags.append(l.description)
    return tags
""")
    assert s.decision is None


def test_sum_of_scores_is_not_a_score_range():
    s = one(VISION + """
def f(image):
    total = 0
    for l in client.label_detection(image=image).label_annotations:
        total += l.score
    if total > 2:
        return 'busy'
""")
    assert s.decision is None


def test_helper_called_inside_the_loop_decides_per_label():
    s = one(VISION + """
FOOD = ['Apple']
def category_of(name):
    if name in FOOD:
        return 'compost'
    return None
def f(image):
    out = []
    for l in client.label_detection(image=image).label_annotations:
        out.append(category_of(l.description))
    return out
""")
    assert s.decision.type == "true_false" and s.decision.categories[0].labels == ["Apple"]


def test_dict_with_list_values_is_tested_on_its_keys():
    s = one(VISION + """
SECTIONS = {'Fruit': ['aisle 1'], 'Bread': ['aisle 2']}
def f(image):
    for l in client.label_detection(image=image).label_annotations:
        if l.description in SECTIONS:
            return SECTIONS[l.description]
""")
    assert [c.labels for c in s.decision.categories] == [["Fruit", "Bread"]]


def test_label_lists_from_split_strings_and_map():
    s = one(VISION + """
FRUIT = "apple banana  cherry".split()
VEG = list(map(str.lower, ["Carrot", "Leek"]))
def f(img):
    names = [l.description.lower() for l in client.label_detection(image=img).label_annotations]
    if set(names) & set(FRUIT + VEG):
        return 1
""")
    assert s.decision.categories[0].labels == ["apple", "banana", "cherry", "carrot", "leek"]


def test_score_test_nested_in_a_label_test_is_its_threshold():
    s = one(VISION + """
R = ["Plastic"]
def f(img):
    for label in client.label_detection(image=img).label_annotations:
        if label.description in R:
            if label.score > 0.8:
                return "recycle"
    return "trash"
""")
    d = s.decision
    assert (d.type, d.min_score, d.default.outcome) == ("true_false", 0.8, 'return "trash"')


def test_conditions_that_do_not_decide_on_labels():
    s = one(VISION + """
def f(image, names):
    response = client.label_detection(image=image)
    if response.error.message:
        raise RuntimeError(response.error.message)
    labels = response.label_annotations
    if not labels:
        return []
    if len(labels) > 5:
        labels = labels
    if isinstance(labels, list):
        pass
    for label in labels:
        if label.description:
            names.append(label.description)
        if label.score > 0.9:
            print(label.description)
    return names
""")
    assert s.decision is None


def test_one_condition_on_two_api_calls_decides_for_both():
    src = VISION + """
def f(img):
    labels = [l.description for l in client.label_detection(image=img).label_annotations]
    text = client.text_detection(image=img).text_annotations[0].description
    if 'Bottle' in labels and 'PET' in text:
        return 'recycle'
    return 'trash'
"""
    a, b = analyze_source(src, "app.py")
    assert a.decision.categories[0].labels == ["Bottle"] and a.decision.match == "exact"
    assert b.decision.categories[0].labels == ["PET"] and b.decision.match == "substring"


def test_collection_built_under_a_confidence_test_keeps_the_threshold():
    s = one("""
        def f(text, client):
            response = client.classify_text(document={"content": text})
            topics = []
            for category in response.categories:
                if category.confidence > 0.7:
                    topics.append(category.name)
            if '/Sports' in topics:
                return 'sports'
            return 'other'
    """)
    assert (s.decision.type, s.decision.min_score) == ("true_false", 0.7)


def test_calls_made_in_a_comprehension_give_a_list_of_responses():
    s = one(VISION + """
def f(images):
    responses = [client.label_detection(image=i) for i in images]
    for r in responses:
        if any(l.description == "Cat" for l in r.label_annotations):
            return "cat"
""")
    assert s.decision.categories[0].labels == ["Cat"]


def test_unknown_receivers_need_a_provider_import_or_a_client_like_name():
    own = "from mylib import get_analyzer\ndef f(t):\n    a = get_analyzer()\n    return a.detect_sentiment(t)\n"
    assert analyze_source(own, "a.py") == []  # the app's own sentiment helper
    passed = "def f(client, img):\n    return client.label_detection(image=img)\n"
    assert len(analyze_source(passed, "b.py")) == 1  # a client handed in by the caller
    imported = "import boto3\nfrom mylib import make\ndef f(img):\n    return make().detect_labels(Image={})\n"
    assert analyze_source(imported, "c.py")[0].api == "aws.rekognition.detect_labels"


def test_regex_alternations_are_label_lists():
    s = one("""
        import re
        from google.cloud import speech
        def f(audio, config):
            client = speech.SpeechClient()
            for result in client.recognize(config=config, audio=audio).results:
                t = result.alternatives[0].transcript
                if re.search(r"lights on|lamp", t, re.IGNORECASE):
                    return "on"
                if re.search(r"[a-z]+ing", t):
                    return "verb"
    """)
    d = s.decision
    assert (d.type, d.match, d.case_insensitive) == ("true_false", "substring", True)
    assert d.categories[0].labels == ["lights on", "lamp"]


def test_one_call_decided_on_in_two_functions_is_combined_with_a_note():
    s = one(VISION + """
def names(img):
    return [l.description for l in client.label_detection(image=img).label_annotations]
def sort(img):
    if 'Food' in names(img):
        return 'compost'
def alarm(img):
    if 'Fire' in names(img):
        ring()
""")
    assert [c.labels for c in s.decision.categories] == [["Food"], ["Fire"]]
    assert any("several places" in n for n in s.notes)


def test_skip_unlisted_labels_with_continue():
    s = one(VISION + """
ALLOWED = ["Dog", "Cat"]
def f(img):
    for label in client.label_detection(image=img).label_annotations:
        if label.description not in ALLOWED:
            continue
        notify(label.description)
        break
    else:
        reject()
""")
    d = s.decision
    assert d.type == "true_false" and d.categories[0].outcome == "notify(label.description)"
    assert d.default.outcome == "reject()"


def test_lookup_only_printed_is_not_a_decision_but_dispatch_is():
    src = VISION + """
EMOJI = {"Dog": "d", "Cat": "c"}
ACTIONS = {"Dog": walk, "Cat": feed}
def show(img):
    for l in client.label_detection(image=img).label_annotations:
        print(EMOJI.get(l.description, ""))
def act(img):
    for l in client.label_detection(image=img).label_annotations:
        action = ACTIONS.get(l.description)
        if action:
            action()
            break
"""
    show, act = analyze_source(src, "app.py")
    assert show.decision is None
    assert (act.decision.type, [c.name for c in act.decision.categories]) == ("multi_choice", ["walk", "feed"])


def test_long_running_recognize_decides_on_its_result():
    s = one("""
        from google.cloud import speech
        def f(uri):
            client = speech.SpeechClient()
            op = client.long_running_recognize(config={}, audio=speech.RecognitionAudio(uri=uri))
            for result in op.result(timeout=90).results:
                if "refund" in result.alternatives[0].transcript:
                    return "billing"
            return "general"
    """)
    assert s.api == "google.speech.recognize" and s.decision.categories[0].labels == ["refund"]


def test_confidence_tiers_on_one_label_are_score_ranges_carrying_the_label():
    s = one("""
        import boto3
        rek = boto3.client("rekognition")
        def f(img):
            for label in rek.detect_labels(Image={"Bytes": img})["Labels"]:
                if label["Name"] == "Person" and label["Confidence"] > 90:
                    return "alarm"
                elif label["Name"] == "Person" and label["Confidence"] > 60:
                    return "record"
            return "ignore"
    """)
    d = s.decision
    assert d.type == "score_range"
    assert [(c.name, c.labels, c.range) for c in d.categories] == [
        ("alarm", ["Person"], (0.9, None)), ("record", ["Person"], (0.6, None))]
    assert d.default.outcome == 'return "ignore"'
