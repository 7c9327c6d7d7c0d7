# The README's two commands. Everything else is plain CMake in build/.
BUILD ?= build
JOBS ?= $(shell nproc)
CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: run test build deps-run deps-test

# What building and running the gateway needs: compiler, CMake, the libraries it links.
deps-run:
	./.ci/install-deps.sh run

# That, plus what the tests and benchmarks need: GoogleTest, Google Benchmark, curl, nginx, Node.js.
deps-test:
	./.ci/install-deps.sh test

# Install what the gateway needs, build it, and start it with conf/gateway.yaml (simulated engine).
# A build folder configured before (by make test) keeps its settings; a new one leaves out the
# tests and benchmarks, whose libraries deps-run does not install.
run: deps-run
	[ -f $(BUILD)/CMakeCache.txt ] || $(CONFIGURE) -DGATEWAY_BUILD_TESTS=OFF -DGATEWAY_BUILD_BENCH=OFF
	cmake --build $(BUILD) -j $(JOBS) --target inference-gateway
	./$(BUILD)/inference-gateway --config conf/gateway.yaml

# Install what the tests need and build everything: gateway, tests, benchmarks.
build: deps-test
	$(CONFIGURE) -DGATEWAY_BUILD_TESTS=ON -DGATEWAY_BUILD_BENCH=ON
	cmake --build $(BUILD) -j $(JOBS)

# Install what the tests need, build, and run every test (unit and integration).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
