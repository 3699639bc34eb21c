"""A local replica of real-looking sites, served as an HTTP forward proxy.

``portal.example`` replays a captured NukeViet eGovernment portal and
``news.example`` wraps 15 real news article pages in a generated site;
``wp.example``, ``wpclassic.example`` and ``liferay.example`` are generated sites
(WordPress block and classic themes, a Liferay portal) whose articles tests add, edit
and remove at runtime (:meth:`ReplicaServer.site`). Tests and the demo point a
crawler's proxy at :attr:`ReplicaServer.proxy_url`.
"""

from .faults import FAULT_KINDS
from .generated import GeneratedArticle, GeneratedSite
from .news_site import article_path
from .server import GENERATED_HOSTS, REPLICA_HOSTS, ReplicaServer

__all__ = [
    "FAULT_KINDS",
    "GENERATED_HOSTS",
    "REPLICA_HOSTS",
    "GeneratedArticle",
    "GeneratedSite",
    "ReplicaServer",
    "article_path",
]
