"""A local replica of two real-looking sites, served as an HTTP forward proxy.

``portal.example`` replays a captured NukeViet eGovernment portal and
``news.example`` wraps 15 real news article pages in a generated site. Tests and
the demo point a crawler's proxy at :attr:`ReplicaServer.proxy_url`.
"""

from .faults import FAULT_KINDS
from .news_site import article_path
from .server import REPLICA_HOSTS, ReplicaServer

__all__ = ["FAULT_KINDS", "REPLICA_HOSTS", "ReplicaServer", "article_path"]
