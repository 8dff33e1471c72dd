"""Reads an oodsynth stream (an uncompressed WebDataset tar) for the interop checks."""
import tarfile


def samples(path):
    """[(key, {ext: bytes})] in stream order, the `__stream__` header first."""
    grouped, order = {}, []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            key, ext = member.name.split(".", 1)
            if key not in grouped:
                order.append(key)
                grouped[key] = {}
            grouped[key][ext] = tar.extractfile(member).read()
    return [(key, grouped[key]) for key in order]
