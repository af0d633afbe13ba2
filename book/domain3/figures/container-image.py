"""Task 3.2: a bring-your-own-container image from build to endpoint, through an ECR repository with immutable tags."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.compute import EC2ContainerRegistry
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.aws.storage import SimpleStorageServiceS3Bucket
from diagrams.onprem.container import Docker


def draw(path):
    with aws_diagram(path, splines="spline", nodesep="0.8", ranksep="1.2"):
        build = Docker("docker build,\nlocal test")
        registry = EC2ContainerRegistry("ECR repository\n(immutable tags)")
        artifact = SimpleStorageServiceS3Bucket("model.tar.gz\nin S3")
        model = SagemakerModel("SageMaker model\n(Image, ModelDataUrl)")
        endpoint = Sagemaker("Endpoint")
        build >> Edge(label="push :<commit SHA>") >> registry >> Edge(label="Image") >> model
        artifact >> Edge(label="ModelDataUrl") >> model
        model >> endpoint
