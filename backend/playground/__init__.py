"""NN Playground: a NumPy deep-learning engine, a FastAPI server and a browser UI."""

__version__ = "0.1.0"
