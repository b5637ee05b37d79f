# ismseval: PGXS build.
#
# The current schema lives in src/sql/<concept>.sql, one definition per object,
# edited in place. The install script of the current version is built from them
# in the order of SCHEMA_SOURCES (each file needs only those before it).
# Released scripts are frozen in src/sql/upgrade/: the 0.1.0 install script (the
# root of the update chain) and one update script per release; a new version adds
# one hand-written delta there (test/upgrade.sh checks that an updated install
# equals a fresh one).

EXTENSION = ismseval
EXTVERSION = 0.5.0

MODULE_big = ismseval
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

SCHEMA_SOURCES = src/sql/risk.sql src/sql/risk_matrix.sql src/sql/kpi.sql \
                 src/sql/effectiveness.sql src/sql/radar.sql src/sql/peer_dist.sql \
                 src/sql/model.sql src/sql/rules.sql src/sql/catalogs.sql src/sql/loader.sql \
                 src/sql/tenancy.sql src/sql/peer_release.sql src/sql/peer_benchmark.sql \
                 src/sql/requirements.sql src/sql/ciso_import.sql src/sql/views.sql \
                 src/sql/applicability.sql src/sql/quant_risk.sql src/sql/history.sql \
                 src/sql/ciso_export.sql \
                 src/sql/charts.sql src/sql/report.sql src/sql/view_comments.sql

# The command that imports CISO Assistant libraries, installed beside psql (pg_config --bindir).
SCRIPTS = scripts/ismseval-import

DATA = $(sort $(wildcard src/sql/upgrade/$(EXTENSION)--*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

# pg_regress: every file in sql/, in name order.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)
# Tenant sessions need the library loaded at session start (the plan guard), as an
# administrator sets it up; the regression sessions get it through PGOPTIONS.
installcheck: export PGOPTIONS += -c session_preload_libraries=$(EXTENSION)

PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter
# No fused multiply-adds: the loss simulation must give the same bits on every platform.
PG_CFLAGS += -ffp-contract=off
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script: the \echo guard, then the schema sources in order.
$(EXTENSION)--$(EXTVERSION).sql: $(SCHEMA_SOURCES)
	{ printf '%s\n' '-- generated from src/sql/ by the Makefile; edit the sources there' \
	  '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $^; do printf '\n-- %s\n' "$$f"; cat "$$f"; done; } > $@

# pgTAP suite, against the server named by the usual PG* variables.
PG_PROVE ?= pg_prove
PROVE_DB ?= ismseval_tap
.PHONY: prove
prove:
	$(PG_PROVE) --ext .sql -d $(PROVE_DB) test/

# Every object depends on the shared headers, so editing one rebuilds what uses it.
$(OBJS): $(wildcard src/*.h)
