import os
from flask import Flask, request, jsonify
import boto3

app = Flask(__name__)
rekognition = boto3.client('rekognition', region_name=os.environ.get('AWS_REGION', 'us-east-1'))
HOTDOG = 'Hot Dog'

@app.route('/classify', methods=['POST'])
def classify():
    img = request.files['image'].read()
    resp = rekognition.detect_labels(Image={'Bytes': img}, MaxLabels=20)
    labels = [l['Name'] for l in resp['Labels']]
    is_hotdog = HOTDOG in labels
    return jsonify({'hotdog': is_hotdog, 'labels': labels})

@app.route('/check', methods=['POST'])
def check():
    img = request.files['image'].read()
    resp = rekognition.detect_labels(Image={'Bytes': img})
    for label in resp['Labels']:
        if label['Name'] == HOTDOG and label['Confidence'] >= 90.0:
            return jsonify(result='hotdog')
    return jsonify(result='not hotdog')
