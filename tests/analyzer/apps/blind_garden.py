import boto3
import streamlit as st

PLANTS = ["Plant", "Flower", "Tree"]
WEEDS = ["Weed", "Dandelion"]
client = boto3.client("rekognition")

uploaded = st.file_uploader("Photo")
if uploaded:
    resp = client.detect_labels(Image={"Bytes": uploaded.read()})
    labels = sorted(resp["Labels"], key=lambda x: x["Confidence"], reverse=True)
    top = labels[0]["Name"] if labels else "Unknown"
    if top in PLANTS:
        st.success("A plant!")
    elif top in WEEDS:
        st.warning("Pull it out")
    else:
        st.info("Not a plant")
