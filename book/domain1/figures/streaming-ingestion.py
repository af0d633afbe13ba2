"""Task 1.1: a streaming ingestion path, from producers to the online feature store and to S3 for training."""

from course_figures import aws_diagram
from diagrams import Cluster
from diagrams.aws.analytics import KinesisDataAnalytics, KinesisDataFirehose, KinesisDataStreams
from diagrams.aws.general import Users
from diagrams.aws.ml import Sagemaker, SagemakerTrainingJob
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path):
        producers = Users("Producers\n(apps, devices)")
        stream = KinesisDataStreams("Kinesis\nData Streams\n(ordered per shard,\nreplayable)")
        with Cluster("Real time"):
            flink = KinesisDataAnalytics("Managed Service\nfor Apache Flink\n(windows, joins)")
            online = Sagemaker("Feature Store\nonline store")
        with Cluster("Batch, for training"):
            firehose = KinesisDataFirehose("Data Firehose\n(buffers, converts\nto Parquet with a\nGlue table schema)")
            bucket = SimpleStorageServiceS3Bucket("S3\n(Parquet)")
            training = SagemakerTrainingJob("SageMaker\ntraining job")
        producers >> stream
        stream >> flink >> online
        stream >> firehose >> bucket >> training
