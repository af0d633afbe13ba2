"""Task 2.3: one request during a shadow test, answered by production, copied to the shadow variant."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.general import Client
from diagrams.aws.ml import Sagemaker, SagemakerModel
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline", nodesep="0.7"):
        client = Client("Client")
        with Cluster("Endpoint during a shadow test"):
            endpoint = Sagemaker("Endpoint")
            production = SagemakerModel("Production variant\n(model v3)")
            shadow = SagemakerModel("Shadow variant\n(model v4): answer\nnot returned")
        capture = SimpleStorageServiceS3Bucket("Data capture\nin S3 (optional)")
        client >> Edge(label="request,\nresponse", reverse=True) >> endpoint
        endpoint >> Edge(label="every request,\nits response", reverse=True) >> production
        endpoint >> Edge(label="sampled copy", style="dashed") >> shadow
        production >> Edge(style="dashed") >> capture
        shadow >> Edge(style="dashed") >> capture
