# ismseval: PGXS build.
#
# The extension scripts are generated from the fragments in src/sql/.
# Each released version lists the fragments it added, in order; a released
# fragment is never edited again (a later change goes into a new fragment),
# so every generated install and update script stays what it was at release.

EXTENSION = ismseval
EXTVERSION = 0.5.0

MODULE_big = ismseval
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# Fragments added by each version.
FRAGMENTS_0.1.0 = src/sql/risk.sql src/sql/risk_matrix.sql src/sql/kpi.sql src/sql/effectiveness.sql
FRAGMENTS_0.2.0 = src/sql/radar.sql src/sql/peer_dist.sql
FRAGMENTS_0.3.0 = src/sql/model.sql src/sql/catalogs.sql src/sql/loader.sql src/sql/views.sql
FRAGMENTS_0.4.0 = src/sql/tenancy.sql src/sql/peer_release.sql src/sql/peer_benchmark.sql
FRAGMENTS_0.5.0 = src/sql/v050.sql src/sql/v050_agg.sql

# The first version has an install script; later versions are reached from it
# through update scripts, so an upgraded and a fresh install run the same SQL.
BASE_SCRIPT = $(EXTENSION)--0.1.0.sql
UPDATE_SCRIPTS = $(EXTENSION)--0.1.0--0.2.0.sql $(EXTENSION)--0.2.0--0.3.0.sql \
                 $(EXTENSION)--0.3.0--0.4.0.sql $(EXTENSION)--0.4.0--0.5.0.sql

DATA_built = $(BASE_SCRIPT) $(UPDATE_SCRIPTS)

# pg_regress: every file in sql/, in name order.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script: the \echo guard, then the version's fragments.
$(EXTENSION)--0.1.0.sql: $(FRAGMENTS_0.1.0)
	{ printf '%s\n' '-- generated from src/sql/ by the Makefile; edit the fragments' \
	  '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $^; do printf '\n-- %s\n' "$$f"; cat "$$f"; done; } > $@

# An update script: the guard, then the fragments the new version added.
# Use: $(call update_script,FROM,TO) in a rule whose prerequisites are TO's fragments.
define update_script
	{ printf '%s\n' '-- generated from src/sql/ by the Makefile; edit the fragments' \
	  '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE TO '"'"'$(2)'"'"'" to load this file. \quit'; \
	  for f in $^; do printf '\n-- %s\n' "$$f"; cat "$$f"; done; } > $@
endef

# pgTAP suite, against the server named by the usual PG* variables.
PG_PROVE ?= pg_prove
PROVE_DB ?= ismseval_tap
.PHONY: prove
prove:
	$(PG_PROVE) --ext .sql -d $(PROVE_DB) test/

$(EXTENSION)--0.1.0--0.2.0.sql: $(FRAGMENTS_0.2.0)
	$(call update_script,0.1.0,0.2.0)

$(EXTENSION)--0.2.0--0.3.0.sql: $(FRAGMENTS_0.3.0)
	$(call update_script,0.2.0,0.3.0)

$(EXTENSION)--0.3.0--0.4.0.sql: $(FRAGMENTS_0.4.0)
	$(call update_script,0.3.0,0.4.0)

$(EXTENSION)--0.4.0--0.5.0.sql: $(FRAGMENTS_0.5.0)
	$(call update_script,0.4.0,0.5.0)

# Every object depends on the shared headers, so editing one rebuilds what uses it.
$(OBJS): $(wildcard src/*.h)
