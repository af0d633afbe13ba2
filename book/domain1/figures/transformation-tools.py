"""Task 1.2: the four transformation tools around one S3 data lake, visual tools above and code below."""

from course_figures import aws_diagram
from diagrams import Cluster
from diagrams.aws.analytics import EMR, Glue
from diagrams.aws.ml import Sagemaker, SagemakerTrainingJob
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, direction="TB", splines="spline", ranksep="1.0"):
        raw = SimpleStorageServiceS3Bucket("Raw data\nin S3")
        with Cluster("Visual, no code"):
            wrangler = Sagemaker("Data Wrangler\n(in Canvas)")
            databrew = Glue("Glue DataBrew\n(recipes)")
        with Cluster("Code, at scale"):
            glue = Glue("Glue ETL\n(serverless\nSpark)")
            emr = EMR("Spark on\nAmazon EMR")
        curated = SimpleStorageServiceS3Bucket("Curated\nParquet in S3")
        training = SagemakerTrainingJob("Training or\nFeature Store")
        for tool in (wrangler, databrew, glue, emr):
            raw >> tool >> curated
        curated >> training
