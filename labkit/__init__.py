"""labkit: the small package the course's labs share.

Import what a lab needs from its module, for example::

    from labkit.datasets import load_dataset
    churn = load_dataset("wa_churn")
"""

__version__ = "0.1.0"
