# hookctl — build, test, bench, install.
PREFIX ?= $(HOME)/.local
BINDIR := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/hookctl
SWIFT ?= swift
# Static Swift runtime, and a non-PIE executable: the loader then has no
# relative relocations to apply at start-up (as with direnv's Go binary).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie
RELEASE_BIN = $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/hookctl
MARK := \# added by hookctl make install
BASHRC := $(HOME)/.bashrc
ZSHRC := $(if $(ZDOTDIR),$(ZDOTDIR),$(HOME))/.zshrc
FISHCONF := $(HOME)/.config/fish/conf.d/hookctl.fish

.PHONY: build release test test-deps bench install uninstall clean

build:
	$(SWIFT) build

release:
	$(SWIFT) build $(RELEASE_FLAGS)

## test: unit tests, then integration tests in real bash, zsh and fish.
test: test-deps build
	$(SWIFT) test
	HOOKCTL_BIN=$$($(SWIFT) build --show-bin-path)/hookctl python3 -m pytest -q Tests/integration

## test-deps: the shells and tools the tests drive (installed when missing).
test-deps:
	@scripts/install-deps.sh zsh fish tmux shellcheck
	@python3 -c 'import pytest, pexpect' 2>/dev/null || python3 -m pip install -q pytest pexpect

## bench: hookctl against direnv, measured in the same run.
bench: release
	@scripts/install-deps.sh direnv hyperfine
	HOOKCTL_BIN=$(RELEASE_BIN) python3 scripts/bench.py

install: release
	install -d -m 755 $(BINDIR) $(SHAREDIR)
	install -m 755 $(RELEASE_BIN) $(BINDIR)/hookctl
	for shell in bash zsh fish; do $(BINDIR)/hookctl shell init $$shell > $(SHAREDIR)/hookctl.$$shell; done
	scripts/rc-line.sh add $(BASHRC) 'eval "$$("$(BINDIR)/hookctl" shell init bash)" $(MARK)'
	scripts/rc-line.sh add $(ZSHRC) 'eval "$$("$(BINDIR)/hookctl" shell init zsh)" $(MARK)'
	scripts/rc-line.sh add $(FISHCONF) '"$(BINDIR)/hookctl" shell init fish | source $(MARK)'
	@echo "hookctl: installed $(BINDIR)/hookctl; open a new shell to start using it"

uninstall:
	scripts/rc-line.sh remove $(BASHRC) '$(MARK)'
	scripts/rc-line.sh remove $(ZSHRC) '$(MARK)'
	scripts/rc-line.sh remove $(FISHCONF) '$(MARK)'
	rm -f $(BINDIR)/hookctl
	rm -rf $(SHAREDIR)

clean:
	rm -rf .build
