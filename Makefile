# The README's two commands. Everything else is plain CMake in build/.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: run test build deps

deps:
	./.ci/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# Install dependencies, build, and start the gateway with conf/gateway.yaml (simulated engine).
run: build
	./$(BUILD)/inference-gateway --config conf/gateway.yaml

# Install dependencies, build, and run every test (unit and integration).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
