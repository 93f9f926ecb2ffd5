"""The course's data sets and the data mode, in one import for the notebooks.

``COURSE_DATA=tiny`` (the default) gives small generated sets that run on a
laptop in minutes; ``COURSE_DATA=full`` gives the real ones, downloaded once
into the cache (see ``helpers.cache``). Each data set lives in its own module
of ``helpers.datasets``; the setting is read by ``helpers.settings``.
"""
from __future__ import annotations

from .datasets.coco_captions import COCO_URL, load_coco_data, read_coco_captions, tiny_coco_captions
from .datasets.cola import COLA_URL, load_cola, read_cola, tiny_cola
from .datasets.imdb import IMDB_SHA256, IMDB_URL, load_imdb, read_imdb, tiny_imdb
from .datasets.multi30k import (MULTI30K_CHECKSUMS, MULTI30K_FILES, MULTI30K_URL, load_multi30k, read_multi30k,
                                tiny_multi30k)
from .datasets.tweets import TWEETS_SHA256, TWEETS_URL, load_tweets, read_tweets, tiny_tweets
from .settings import MODES, data_mode

__all__ = ["MODES", "data_mode",
           "load_imdb", "read_imdb", "tiny_imdb", "IMDB_URL", "IMDB_SHA256",
           "load_tweets", "read_tweets", "tiny_tweets", "TWEETS_URL", "TWEETS_SHA256",
           "load_multi30k", "read_multi30k", "tiny_multi30k", "MULTI30K_URL", "MULTI30K_FILES",
           "MULTI30K_CHECKSUMS", "load_coco_data", "read_coco_captions", "tiny_coco_captions", "COCO_URL",
           "load_cola", "read_cola", "tiny_cola", "COLA_URL"]
