"""Task 2.2: the script-mode contract, from an S3 channel through /opt/ml paths to model.tar.gz and checkpoints."""

from course_figures import aws_diagram
from diagrams import Edge
from diagrams.aws.compute import EC2ContainerRegistryImage
from diagrams.aws.ml import SagemakerTrainingJob
from diagrams.aws.storage import SimpleStorageServiceS3Bucket


def draw(path):
    with aws_diagram(path, splines="spline"):
        data = SimpleStorageServiceS3Bucket("S3\ntrain channel")
        image = EC2ContainerRegistryImage("Framework image\n(PyTorch or\nTensorFlow)")
        job = SagemakerTrainingJob("Training job\nruns your script\nwith hyperparameters")
        model = SimpleStorageServiceS3Bucket("S3\nmodel.tar.gz")
        checkpoints = SimpleStorageServiceS3Bucket("S3\ncheckpoints")
        data >> Edge(label="/opt/ml/input/data/train\n(SM_CHANNEL_TRAIN)") >> job
        image >> Edge(style="dashed") >> job
        job >> Edge(label="/opt/ml/model\n(SM_MODEL_DIR)") >> model
        job >> Edge(label="/opt/ml/checkpoints\n(resume after Spot)", style="dashed") >> checkpoints
