"""The seed blog post's worked example, as it published it (ConvTranspose2d, k=3, s=2, p=1).

Reference data for the tests, typed from the post, never computed by symtconv.
"""

SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
#: The output the post printed with PyTorch's conv_transpose2d.
SEED_PUBLISHED = [
    [36, 28, 4, 6, 12],
    [23, 63, 17, 56, 17],
    [28, 29, 32, 31, 28],
    [23, 47, 12, 29, 11],
    [32, 26, 8, 8, 8],
]
