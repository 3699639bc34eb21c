"""Storage: SQLAlchemy models, Alembic migrations and the functions the crawler uses.

Open with ``open_database()`` (migrates automatically), then pass a session to the
store and query functions; they flush but never commit.
"""

from crawler.db.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    DatabaseError,
    downgrade,
    head_revision,
    mask_url,
    open_database,
    resolve_database_url,
    session_factory,
    upgrade,
)
from crawler.db.models import (
    ARTICLE_STATUSES,
    DISCOVERY_SOURCES,
    RUN_COUNTS,
    RUN_STATUSES,
    ArticleRow,
    ArticleVersionRow,
    Base,
    CrawlErrorRow,
    CrawlRunRow,
    FetchStateRow,
    SiteRow,
)
from crawler.db.entity_models import (
    AdminUnitRow,
    EntityMentionRow,
    OrganizationRow,
    PersonRoleRow,
    PersonRow,
)
from crawler.db.entity_queries import (
    PersonRole,
    articles_mentioning_org,
    articles_mentioning_person,
    articles_mentioning_place,
    list_articles_mentioning,
    roles_of_person,
)
from crawler.db.entity_store import store_entities
from crawler.db.duplicates import link_near_duplicates, near_duplicates
from crawler.db.fetch_state import load_fetch_states, save_fetch_state
from crawler.db.queries import (
    SiteSummary,
    count_articles,
    get_article,
    list_articles,
    list_runs,
    list_sites,
)
from crawler.db.store import (
    UpsertResult,
    content_hash,
    decoded_html,
    decompress_html,
    ensure_site,
    finish_run,
    record_error,
    start_run,
    upsert_article,
)

from crawler.db.versions import (
    KnownArticle,
    article_versions,
    known_articles,
    mark_missing,
    record_source_modified,
)

__all__ = [
    "AdminUnitRow",
    "EntityMentionRow",
    "OrganizationRow",
    "PersonRole",
    "PersonRoleRow",
    "PersonRow",
    "articles_mentioning_org",
    "articles_mentioning_person",
    "articles_mentioning_place",
    "list_articles_mentioning",
    "roles_of_person",
    "store_entities",
    "ARTICLE_STATUSES",
    "ArticleVersionRow",
    "FetchStateRow",
    "KnownArticle",
    "article_versions",
    "known_articles",
    "load_fetch_states",
    "mark_missing",
    "link_near_duplicates",
    "near_duplicates",
    "record_source_modified",
    "save_fetch_state",
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "DISCOVERY_SOURCES",
    "RUN_COUNTS",
    "RUN_STATUSES",
    "ArticleRow",
    "Base",
    "CrawlErrorRow",
    "CrawlRunRow",
    "DatabaseError",
    "SiteRow",
    "SiteSummary",
    "UpsertResult",
    "content_hash",
    "count_articles",
    "decoded_html",
    "decompress_html",
    "downgrade",
    "ensure_site",
    "finish_run",
    "get_article",
    "head_revision",
    "list_articles",
    "list_runs",
    "list_sites",
    "mask_url",
    "open_database",
    "record_error",
    "resolve_database_url",
    "session_factory",
    "start_run",
    "upgrade",
    "upsert_article",
]
