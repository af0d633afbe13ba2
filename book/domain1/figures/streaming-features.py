"""Task 1.2: a streaming feature, from purchase events through Lambda into both stores of a feature group."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.analytics import KinesisDataStreams
from diagrams.aws.compute import Lambda
from diagrams.aws.general import Users
from diagrams.aws.ml import Sagemaker, SagemakerModel, SagemakerTrainingJob
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path):
        events = Users("Purchase\nevents")
        stream = KinesisDataStreams("Kinesis\nData Streams\n(key: customer_id)")
        window = Lambda("Lambda\n600 s tumbling\nwindow count")
        with Cluster("Feature group"):
            online = Sagemaker("Online store\n(latest value)")
            offline = SimpleStorageServiceS3Bucket("Offline store\n(history in S3)")
        endpoint = SagemakerModel("Model endpoint\n(real time)")
        training = SagemakerTrainingJob("Training\njob")
        events >> stream >> window
        window >> Edge(label="PutRecord") >> online
        window >> Edge(label="within 15 min", style="dashed") >> offline
        online >> endpoint
        offline >> training
