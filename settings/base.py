"""Base Scrapy settings: one commented catalogue of everything provnews sets.

Every provnews-specific setting is prefixed ``PROVNEWS_`` and documented here.
"""

BOT_NAME = "provnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves honestly; portals are public-service sites.
# Set PROVNEWS_CONTACT (an email or URL) so site operators can reach whoever runs the crawl.
PROVNEWS_CONTACT = "https://github.com/provnews/provnews"
# The User-Agent is built from PROVNEWS_CONTACT by crawler.runner.build_settings.

# Politeness: obey robots.txt, few parallel requests per host.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
# Spider output (items and requests) handled in parallel per response. Scrapy 2.19 starts
# CONCURRENT_ITEMS asyncio tasks for every callback, even one that yields one item; its
# default of 100 cost the reactor thread more than our item handling (bench/pipeline.py
# --concurrent-items 100 shows the difference; bench/RESULTS.md).
CONCURRENT_ITEMS = 10
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
# Exponential backoff between retries (seconds before the 1st retry, doubling, capped).
PROVNEWS_RETRY_BACKOFF = 2.0
PROVNEWS_RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# A crawl of one site is bounded; a runaway spider stops here.
CLOSESPIDER_ERRORCOUNT = 0
# Let error responses reach the spider so it can record them (instead of HttpErrorMiddleware
# silently dropping them).
HTTPERROR_ALLOW_ALL = True

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    # Route reserved replica hosts (portal.example, ...) through the local replica proxy.
    "crawler.middlewares.HostMapMiddleware": 50,
    # Retry with exponential backoff instead of Scrapy's immediate retry.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Meta refresh without decoding every page that has none (same redirects as Scrapy's).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
}

ITEM_PIPELINES = {
    "pipelines.store.StoreArticlePipeline": 500,
}

# --- provnews settings -------------------------------------------------------------
# SQLAlchemy URL of the store; None means $PROVNEWS_DATABASE_URL or sqlite:///data/provnews.db.
PROVNEWS_DATABASE_URL = None
# Registry files to load sites from; None means settings/sites.toml + replica_sites.toml.
PROVNEWS_REGISTRY_FILES = None
# {host: "http://127.0.0.1:PORT"}: requests to these hosts go through that HTTP proxy.
# The replica server sets it for portal.example and news.example.
PROVNEWS_HOST_MAP: dict[str, str] = {}
# Follow at most this many listing pages per listing URL (site entries may lower it).
PROVNEWS_MAX_LISTING_PAGES = 50
# Incremental crawling: skip stored articles unless the revisit policy (crawler/revisit.py)
# says they are due or a sitemap lastmod says they changed; conditional GETs for discovery.
PROVNEWS_INCREMENTAL = True
# Listing pages holding only known articles to read past before stopping pagination.
PROVNEWS_LISTING_MARGIN = 1
# Walk every listing page (the whole archive) instead of stopping at known articles;
# also sends no conditional GET headers. `provnews crawl --backfill` sets it.
PROVNEWS_BACKFILL = False
# New article URLs are requested at most this many at a time (the rest wait as plain
# URLs): a sitemap listing a whole archive does not fill the scheduler with requests.
PROVNEWS_MAX_QUEUED_ARTICLES = 1000
# At most this many due stored articles are revisited per crawl (most overdue first).
PROVNEWS_MAX_REVISITS = 500
# ISO 8601 time (with offset) to use as "now" when deciding which revisits are due;
# None means the real clock. Tests and dry runs use it to simulate days passing.
PROVNEWS_NOW = None
# Link syndicated copies ("Theo TTXVN") across sites as near-duplicates (crawler/dedupe.py).
PROVNEWS_NEAR_DUPLICATES = True
# Worker processes that extract and store the fetched pages: "auto" (one per CPU), a number,
# or 0 (in the crawl process). One pool per crawl process, shared by every site it crawls.
# The crawl process itself mostly waits on the network; parsing is the CPU work.
PROVNEWS_WORKERS = "auto"
# How much lower the workers' CPU priority is than the crawl process's (as `nice`, 0-19).
# The crawl process downloads and feeds every worker: with as many busy workers as CPUs,
# equal priority left it a fraction of a CPU, and every worker then waited for pages
# (bench/RESULTS.md: 10 against 0 at 5,000 pages). 0 gives workers the same priority.
PROVNEWS_WORKER_NICE = 10
# Articles written per database transaction, and the longest a stored item waits.
PROVNEWS_STORE_BATCH = 25
PROVNEWS_STORE_FLUSH_SECONDS = 0.5
# Keep the raw HTML of each article (compressed) so history can be re-parsed.
PROVNEWS_STORE_RAW_HTML = True
# Extract people (with roles), places (administrative units) and organisations from each
# new or updated article (in the extraction worker, crawler/enrich.py) and store them with
# the article; False turns it off.
PROVNEWS_ENTITIES = True
# Set by the scheduler service on the crawls it starts (recorded on their crawl_run row):
# the ISO 8601 time (with offset) the run was due, and "schedule" instead of "manual".
PROVNEWS_SCHEDULED_AT = None
PROVNEWS_TRIGGER = "manual"
# Seconds between progress lines on stderr during a crawl (0 = off).
PROVNEWS_PROGRESS_INTERVAL = 10.0

EXTENSIONS = {
    "crawler.extensions.ProgressExtension": 500,
}
