"""Task 4.3: training and hosting in private subnets of one VPC, reaching S3 through a gateway
endpoint and SageMaker through interface endpoints."""

from course_figures import aws_diagram
from diagrams import Cluster
from diagrams.aws.ml import Sagemaker, SagemakerTrainingJob
from diagrams.aws.network import Endpoint, Privatelink
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", nodesep="0.8", ranksep="0.9", pad="0.5"):
        with Cluster("VPC, no internet gateway on the ML subnets"):
            with Cluster("Security group sg-ml: inbound from sg-ml only"):
                with Cluster("Private subnet B (AZ b)"):
                    endpoint = Sagemaker("Endpoint\nENIs")
                with Cluster("Private subnet A (AZ a)"):
                    training = SagemakerTrainingJob("Training job\nENIs")
            interface = Privatelink("Interface endpoints:\nAPI, runtime, …")
            gateway = Endpoint("S3 gateway\nendpoint")
        bucket = SimpleStorageServiceS3Bucket("Amazon S3\ndata, artefacts")
        [training, endpoint] >> gateway >> bucket
        [training, endpoint] >> interface
