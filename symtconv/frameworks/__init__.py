"""Framework conventions: PyTorch, ONNX, TensorFlow, Keras and JAX (see :mod:`.common`)."""
