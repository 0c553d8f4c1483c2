# hookctl — build, test, bench, install.
PREFIX ?= $(HOME)/.local
BINDIR := $(PREFIX)/bin
LIBDIR := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
SHAREDIR := $(PREFIX)/share/hookctl
MANDIR := $(PREFIX)/share/man/man1
# Where each shell looks for completions: bash-completion and fish find
# these for /usr and ~/.local; zsh gets the directory on its fpath from the
# line make install adds to .zshrc.
BASH_COMPLETIONS := $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETIONS := $(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS := $(PREFIX)/share/fish/vendor_completions.d
SWIFT ?= swift
# Release choices, kept out of Package.swift so that HookEngine stays usable
# as a dependency: the Swift runtime linked statically into hookctl and into
# libhookengine.so (`-static-stdlib` is what a dynamic library takes); a
# non-PIE executable, so the loader has no relative relocations to apply at
# start-up (as with direnv's Go binary); and sqlite3, readline and tinfo
# from their static archives (three fewer shared libraries for the loader
# on every prompt, about 0.5 ms): the linker finds only the archives in
# STATIC_LIBS, which comes before the system directories.
STATIC_LIBS := $(CURDIR)/.build/static-libs
ARCHIVE_DIR := $(shell gcc -print-multiarch 2>/dev/null | sed 's|^|/usr/lib/|')
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xlinker -L$(STATIC_LIBS)
RELEASE_DIR = $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)
RELEASE_BIN = $(RELEASE_DIR)/hookctl
ABI := 0
MARK := \# added by hookctl make install
BASHRC := $(HOME)/.bashrc
ZSHRC := $(if $(ZDOTDIR),$(ZDOTDIR),$(HOME))/.zshrc
FISHCONF := $(HOME)/.config/fish/conf.d/hookctl.fish

# The loadable bash builtin, built against Debian's bash-builtins headers:
# beside a copy of the library here, and found through $ORIGIN/../.. (PREFIX/lib)
# once installed as PREFIX/lib/hookctl/bash/hookctl.so.
BUILTIN_BUILD := $(CURDIR)/.build/bash-builtin
BUILTIN_DIR := $(LIBDIR)/hookctl/bash
CC ?= cc

.PHONY: build release builtin man test test-deps bench install uninstall clean

build:
	$(SWIFT) build

release:
	@mkdir -p $(STATIC_LIBS)
	@for lib in sqlite3 readline tinfo; do \
	  if [ -f $(ARCHIVE_DIR)/lib$$lib.a ]; then ln -sf $(ARCHIVE_DIR)/lib$$lib.a $(STATIC_LIBS)/lib$$lib.a; fi; \
	done
	$(SWIFT) build $(RELEASE_FLAGS)

## builtin: the bash builtin, when bash's headers are installed.
builtin: release
	@flags=$$(pkg-config --cflags bash 2>/dev/null) || { \
	  echo "hookctl: bash's headers are missing, so the bash builtin is not built (apt-get install bash-builtins provides them)"; exit 0; }; \
	mkdir -p $(BUILTIN_BUILD) && cp $(RELEASE_DIR)/libhookengine.so $(BUILTIN_BUILD)/libhookengine.so.$(ABI) && \
	echo "building the bash builtin" && \
	$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -fPIC -shared $$flags -ISources/CShims/include \
	  -o $(BUILTIN_BUILD)/hookctl.so shell/bash-builtin/hookctl_builtin.c \
	  -L$(BUILTIN_BUILD) -l:libhookengine.so.$(ABI) -Wl,-rpath,'$$ORIGIN:$$ORIGIN/../..'

## man: hookctl.1, generated from the command-line definition.
man: release
	$(SWIFT) build $(RELEASE_FLAGS) --product generate-manual
	@mkdir -p .build/man
	$(RELEASE_DIR)/generate-manual $(RELEASE_BIN) --output-directory .build/man

## test: unit tests, then integration tests in real bash, zsh and fish.
test: test-deps build builtin
	$(SWIFT) test
	HOOKCTL_BIN=$$($(SWIFT) build --show-bin-path)/hookctl HOOKCTL_TEST_BUILTIN=$(BUILTIN_BUILD)/hookctl.so \
	  python3 -m pytest -q Tests/integration

## test-deps: the shells and tools the tests drive (installed when missing).
test-deps:
	@scripts/install-deps.sh zsh fish tmux shellcheck valgrind pkg-config bash-completion man-db bash-builtins strace
	@python3 -c 'import pytest, pexpect' 2>/dev/null || python3 -m pip install -q pytest pexpect

## bench: hookctl against direnv, measured in the same run.
bench: release builtin
	@scripts/install-deps.sh direnv hyperfine
	HOOKCTL_BIN=$(RELEASE_BIN) python3 scripts/bench.py

install: release man builtin
	install -d -m 755 $(BINDIR) $(SHAREDIR) $(LIBDIR)/pkgconfig $(INCLUDEDIR) $(MANDIR) $(BASH_COMPLETIONS) $(ZSH_COMPLETIONS) $(FISH_COMPLETIONS)
	install -m 755 $(RELEASE_BIN) $(BINDIR)/hookctl
	install -m 755 $(RELEASE_DIR)/libhookengine.so $(LIBDIR)/libhookengine.so.$(ABI)
	strip --strip-debug $(LIBDIR)/libhookengine.so.$(ABI)
	ln -sf libhookengine.so.$(ABI) $(LIBDIR)/libhookengine.so
	install -m 644 Sources/CShims/include/hookengine.h $(INCLUDEDIR)/hookengine.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e "s|@VERSION@|$$($(RELEASE_BIN) --version)|g" scripts/hookengine.pc.in > $(LIBDIR)/pkgconfig/hookengine.pc
	for shell in bash zsh fish; do $(BINDIR)/hookctl shell init $$shell > $(SHAREDIR)/hookctl.$$shell; done
	install -m 644 .build/man/hookctl.1 $(MANDIR)/hookctl.1
	if [ -f $(BUILTIN_BUILD)/hookctl.so ]; then install -d -m 755 $(BUILTIN_DIR) && install -m 644 $(BUILTIN_BUILD)/hookctl.so $(BUILTIN_DIR)/hookctl.so; fi
	$(BINDIR)/hookctl --generate-completion-script bash > $(BASH_COMPLETIONS)/hookctl
	$(BINDIR)/hookctl --generate-completion-script zsh > $(ZSH_COMPLETIONS)/_hookctl
	$(BINDIR)/hookctl --generate-completion-script fish > $(FISH_COMPLETIONS)/hookctl.fish
	scripts/rc-line.sh add $(ZSHRC) 'fpath=("$(ZSH_COMPLETIONS)" $$fpath); autoload -Uz _hookctl; (( $$+functions[compdef] )) && compdef _hookctl hookctl $(MARK)'
	scripts/rc-line.sh add $(BASHRC) 'eval "$$("$(BINDIR)/hookctl" shell init bash)" $(MARK)'
	scripts/rc-line.sh add $(ZSHRC) 'eval "$$("$(BINDIR)/hookctl" shell init zsh)" $(MARK)'
	scripts/rc-line.sh add $(FISHCONF) '"$(BINDIR)/hookctl" shell init fish | source $(MARK)'
	@echo "hookctl: installed $(BINDIR)/hookctl; open a new shell to start using it"

uninstall:
	scripts/rc-line.sh remove $(BASHRC) '$(MARK)'
	scripts/rc-line.sh remove $(ZSHRC) '$(MARK)'
	scripts/rc-line.sh remove $(FISHCONF) '$(MARK)'
	rm -f $(BINDIR)/hookctl
	rm -f $(LIBDIR)/libhookengine.so $(LIBDIR)/libhookengine.so.$(ABI) $(LIBDIR)/pkgconfig/hookengine.pc $(INCLUDEDIR)/hookengine.h
	rm -rf $(SHAREDIR)
	rm -rf $(LIBDIR)/hookctl
	rm -f $(MANDIR)/hookctl.1 $(BASH_COMPLETIONS)/hookctl $(ZSH_COMPLETIONS)/_hookctl $(FISH_COMPLETIONS)/hookctl.fish

clean:
	rm -rf .build
