"""Task 1.3: a training job in a VPC that mounts FSx for Lustre and reads S3 through a VPC endpoint, with KMS keys."""

from course_figures import aws_diagram
from diagrams import Cluster, Edge
from diagrams.aws.ml import SagemakerTrainingJob
from diagrams.aws.network import Endpoint
from diagrams.aws.security import KeyManagementService
from diagrams.aws.storage import FsxForLustre, SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline"):
        bucket = SimpleStorageServiceS3Bucket("S3 bucket\n(master copy)")
        with Cluster("Your VPC: private subnets, security groups (VpcConfig)"):
            lustre = FsxForLustre("FSx for Lustre\nlinked to the bucket")
            endpoint = Endpoint("S3 VPC\nendpoint")
            job = SagemakerTrainingJob("Training job\n(2+ private IPs\nper instance)")
        key = KeyManagementService("KMS key: ML volume\nand model output")
        bucket >> Edge(style="dashed") >> lustre
        lustre >> Edge(label="train: FSxLustre, ro") >> job
        bucket >> endpoint >> Edge(label="validation: FastFile") >> job
        key >> Edge(style="dashed") >> job
