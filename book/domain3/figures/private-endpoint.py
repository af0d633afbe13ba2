"""Task 3.2: a private SageMaker endpoint, called through the runtime interface endpoint,
reading its model from S3 through a gateway endpoint."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.compute import EC2
from diagrams.aws.ml import Sagemaker
from diagrams.aws.network import Endpoint, Privatelink
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", ranksep="0.9", nodesep="1.2"):
        with Cluster("VPC: private subnets in 2 AZs"):
            client = EC2("Client app\n(InvokeEndpoint)")
            runtime = Privatelink("Interface endpoint\nruntime.sagemaker")
            gateway = Endpoint("Gateway endpoint\nfor S3")
            endpoint = Sagemaker("SageMaker endpoint\n(VpcConfig on model)")
        bucket = SimpleStorageServiceS3Bucket("Amazon S3\nmodel.tar.gz")
        client >> Edge(label="HTTPS") >> runtime >> endpoint
        bucket >> Edge(label="model\ndownload") >> gateway >> endpoint
