"""Serving in the providers' wire formats, driven by the real client libraries over real HTTP:
google-cloud-vision and google-cloud-language (REST transport, custom api_endpoint) and boto3."""

from __future__ import annotations

import asyncio
import base64
from concurrent.futures import ThreadPoolExecutor

import boto3
import httpx
import pytest
import svc_stub
from botocore.config import Config
from botocore.exceptions import ClientError
from google.api_core import exceptions as gexc
from google.cloud import language_v1, language_v2, vision
from google.oauth2.credentials import Credentials

from chameleon_trainer.serving.batching import MicroBatcher

RED, BLUE, GREEN = svc_stub.png((220, 20, 20)), svc_stub.png((20, 20, 220)), svc_stub.png((40, 200, 60))


@pytest.fixture
def served(service):
    s = service()
    models = s.data_dir / "models"
    svc_stub.write_model(models, "cust", "image_classification", "google.vision.label_detection", "customized")
    svc_stub.write_model(models, "gen", "image_classification", "google.vision.label_detection", "generic")
    svc_stub.write_model(models, "topics", "text_classification", "google.language.classify_text", "customized")
    svc_stub.write_model(models, "senti", "sentiment", "google.language.analyze_sentiment", "customized")
    return s


def vision_client(base: str, token: str) -> vision.ImageAnnotatorClient:
    return vision.ImageAnnotatorClient(transport="rest", client_options={"api_endpoint": base},
                                       credentials=Credentials(token=token))


def rekognition(base: str, token: str):
    return boto3.client("rekognition", endpoint_url=base, region_name="us-east-1", aws_access_key_id=token,
                        aws_secret_access_key="unused", config=Config(retries={"max_attempts": 1}))


def test_google_vision_label_detection_with_the_real_client(served):
    c = vision_client(f"{served.url}/serve/cust", served.token)
    resp = c.label_detection(image=vision.Image(content=RED))
    labels = [(a.description, round(a.score, 2)) for a in resp.label_annotations]
    assert labels == [("Food", 0.92), ("Fast food", 0.7), ("Tableware", 0.3), ("Paper", 0.05)]
    assert resp.label_annotations[0].mid.startswith("/m/0") and resp.label_annotations[0].topicality == pytest.approx(0.92)
    # maxResults is honoured
    resp = c.label_detection(image=vision.Image(content=GREEN), max_results=2)
    assert [a.description for a in resp.label_annotations] == ["Tableware", "Paper"]
    # the model in the endpoint decides the answer, not the app
    g = vision_client(f"{served.url}/serve/gen", served.token)
    assert g.label_detection(image=vision.Image(content=GREEN)).label_annotations[0].description == "Paper"


def test_google_vision_batch_and_per_image_errors(served):
    c = vision_client(f"{served.url}/serve/cust", served.token)
    feats = [vision.Feature(type_=vision.Feature.Type.LABEL_DETECTION, max_results=1)]
    reqs = [vision.AnnotateImageRequest(image=vision.Image(content=x), features=feats)
            for x in (RED, b"this is not an image", BLUE)]
    out = c.batch_annotate_images(requests=reqs).responses
    assert [a.description for a in out[0].label_annotations] == ["Food"]
    assert out[1].error.code == 3 and "Bad image data" in out[1].error.message
    assert [a.description for a in out[2].label_annotations] == ["Plastic"]


def test_google_vision_errors_raise_the_usual_exceptions(served):
    with pytest.raises(gexc.Forbidden) as e:
        vision_client(f"{served.url}/serve/cust", "wrong-token").label_detection(image=vision.Image(content=RED))
    assert "token" in str(e.value)
    with pytest.raises(gexc.NotFound):
        vision_client(f"{served.url}/serve/missing", served.token).label_detection(image=vision.Image(content=RED))
    with pytest.raises(gexc.BadRequest) as e:  # a text model asked for image labels
        vision_client(f"{served.url}/serve/topics", served.token).label_detection(image=vision.Image(content=RED))
    assert "text_classification" in str(e.value)
    r = httpx.post(f"{served.url}/serve/cust/v1/images:annotate", content=b"",
                   headers={"Authorization": f"Bearer {served.token}"})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    r = httpx.post(f"{served.url}/serve/cust/v1/images:annotate", headers={"Authorization": f"Bearer {served.token}"},
                   json={"requests": [{"image": {"content": base64.b64encode(RED).decode()},
                                       "features": [{"type": "LABEL_DETECTION", "maxResults": 1}]}]})
    assert r.json()["responses"][0]["labelAnnotations"][0]["description"] == "Food"  # enum names work too
    both = {"requests": [{"image": {"content": base64.b64encode(RED).decode()},
                          "features": [{"type": "LABEL_DETECTION", "maxResults": 1}, {"type": "SAFE_SEARCH_DETECTION"}]}]}
    r = httpx.post(f"{served.url}/serve/cust/v1/images:annotate", headers={"Authorization": f"Bearer {served.token}"}, json=both)
    assert r.json()["responses"][0] == {"labelAnnotations": r.json()["responses"][0]["labelAnnotations"]}  # labels, no error
    only = {"requests": [{"image": {"content": base64.b64encode(RED).decode()}, "features": [{"type": 19}]}]}
    r = httpx.post(f"{served.url}/serve/cust/v1/images:annotate", headers={"Authorization": f"Bearer {served.token}"}, json=only)
    assert "OBJECT_LOCALIZATION" in r.json()["responses"][0]["error"]["message"]


def test_aws_rekognition_detect_labels_with_boto3(served):
    rk = rekognition(f"{served.url}/serve/cust", served.token)
    out = rk.detect_labels(Image={"Bytes": RED})
    # MinConfidence defaults to 55 as on AWS
    assert [(l["Name"], round(l["Confidence"])) for l in out["Labels"]] == [("Food", 92), ("Fast food", 70)]
    out = rk.detect_labels(Image={"Bytes": BLUE}, MaxLabels=3, MinConfidence=5)
    assert [l["Name"] for l in out["Labels"]] == ["Plastic", "Glass", "Tableware"]
    with pytest.raises(ClientError) as e:
        rk.detect_labels(Image={"Bytes": b"GIF89a garbage"})
    assert e.value.response["Error"]["Code"] == "InvalidImageFormatException"
    with pytest.raises(ClientError) as e:
        rk.detect_labels(Image={"S3Object": {"Bucket": "bucket", "Name": "key.png"}})
    assert e.value.response["Error"]["Code"] == "InvalidS3ObjectException"
    with pytest.raises(ClientError) as e:  # Rekognition's 5 MB limit on Image.Bytes
        rk.detect_labels(Image={"Bytes": RED + b"\0" * (5 * 1024 * 1024)})
    assert e.value.response["Error"]["Code"] == "ImageTooLargeException"
    with pytest.raises(ClientError) as e:
        rekognition(f"{served.url}/serve/cust", "wrong").detect_labels(Image={"Bytes": RED})
    assert e.value.response["Error"]["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as e:
        rekognition(f"{served.url}/serve/missing", served.token).detect_labels(Image={"Bytes": RED})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_google_language_classify_and_sentiment(served):
    for mod in (language_v1, language_v2):
        lc = mod.LanguageServiceClient(transport="rest", client_options={"api_endpoint": f"{served.url}/serve/topics"},
                                       credentials=Credentials(token=served.token))
        doc = mod.Document(content="My computer crashed again today.", type_=mod.Document.Type.PLAIN_TEXT)
        cats = lc.classify_text(document=doc).categories
        # confidences under 0.1 are dropped, as Google does
        assert [(c.name, round(c.confidence, 2)) for c in cats] == [("/Computers & Electronics", 0.9), ("/Science", 0.3)]
        ls = mod.LanguageServiceClient(transport="rest", client_options={"api_endpoint": f"{served.url}/serve/senti"},
                                       credentials=Credentials(token=served.token))
        s = ls.analyze_sentiment(document=mod.Document(content="good good bad day", type_=mod.Document.Type.PLAIN_TEXT))
        assert s.document_sentiment.score == pytest.approx(0.5) and s.document_sentiment.magnitude == pytest.approx(0.4)
        with pytest.raises(gexc.BadRequest):
            ls.analyze_sentiment(document=mod.Document(content="  ", type_=mod.Document.Type.PLAIN_TEXT))


def test_oversized_image_upload_is_refused(service):
    s = service(max_body=30_000)
    svc_stub.write_model(s.data_dir / "models", "cust", "image_classification", "google.vision.label_detection", "customized")
    big = svc_stub.png((220, 20, 20), size=200)  # ~ 120 kB raw, compresses, so pad it
    big = big + b"\0" * 40_000
    r = httpx.post(f"{s.url}/serve/cust/v1/images:annotate", headers={"Authorization": f"Bearer {s.token}"},
                   json={"requests": [{"image": {"content": base64.b64encode(big).decode()}, "features": [{"type": 4}]}]})
    assert r.status_code == 413


def test_concurrent_requests_are_batched(served):
    c = vision_client(f"{served.url}/serve/cust", served.token)
    with ThreadPoolExecutor(16) as pool:
        outs = list(pool.map(lambda i: c.label_detection(image=vision.Image(content=RED if i % 2 else BLUE)), range(64)))
    assert all(o.label_annotations[0].description == ("Food" if i % 2 else "Plastic") for i, o in enumerate(outs))
    pred = served.app.state.registry.predictor("cust")
    assert sum(pred.calls) >= 64 and len(pred.calls) < 64  # fewer model calls than requests


def test_micro_batcher_isolates_a_failing_request():
    def fn(items):
        if "bad" in items:
            raise ValueError("bad item")
        return [x.upper() for x in items]

    async def main():
        b = MicroBatcher(fn, max_batch=8, max_wait_s=0.01)
        return await asyncio.gather(b.submit(["a", "b"]), b.submit(["bad"]), b.submit(["c"]), return_exceptions=True)

    ok1, err, ok2 = asyncio.run(main())
    assert ok1 == ["A", "B"] and ok2 == ["C"] and isinstance(err, ValueError)


def test_aws_comprehend_detect_sentiment_with_boto3(served):
    cp = boto3.client("comprehend", endpoint_url=f"{served.url}/serve/senti", region_name="us-east-1",
                      aws_access_key_id=served.token, aws_secret_access_key="unused",
                      config=Config(retries={"max_attempts": 1}))
    out = cp.detect_sentiment(Text="good good bad day", LanguageCode="en")  # stub score 0.5
    assert out["Sentiment"] == "POSITIVE"
    sc = out["SentimentScore"]
    assert sc["Positive"] == pytest.approx(0.5) and sc["Negative"] == 0 and sc["Neutral"] == pytest.approx(0.5)
    assert cp.detect_sentiment(Text="bad bad day", LanguageCode="en")["Sentiment"] == "NEGATIVE"
    assert cp.detect_sentiment(Text="a day", LanguageCode="en")["Sentiment"] == "NEUTRAL"
    with pytest.raises(ClientError) as e:
        cp.detect_sentiment(Text="x" * 6000, LanguageCode="en")
    assert e.value.response["Error"]["Code"] == "TextSizeLimitExceededException"
    with pytest.raises(ClientError) as e:  # an image model cannot answer
        boto3.client("comprehend", endpoint_url=f"{served.url}/serve/cust", region_name="us-east-1",
                     aws_access_key_id=served.token, aws_secret_access_key="unused").detect_sentiment(Text="hi", LanguageCode="en")
    assert "sentiment" in e.value.response["Error"]["Message"]


def test_a_model_is_loaded_once_when_its_first_requests_arrive_together(tmp_path):
    import threading
    import time

    from chameleon_trainer.service.models import ModelRegistry

    (tmp_path / "m1").mkdir()
    (tmp_path / "m1" / "meta.json").write_text("{}")
    loads = []

    def loader(path):
        loads.append(path)
        time.sleep(0.2)  # a slow load: every other thread arrives while it runs
        return object()

    reg = ModelRegistry(tmp_path, loader=loader)
    got = []
    threads = [threading.Thread(target=lambda: got.append(reg.predictor("m1"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(loads) == 1
    assert len(got) == 8 and all(g is got[0] for g in got)
