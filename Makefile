# Stipple: the two commands are `make run` and `make test`; each installs what it needs first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
EXAMPLE    ?= examples/norwood-v.json
CMAKE_FLAGS ?=

.PHONY: deps build run test test-sanitize fuzz bench format clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: plan and chart the Norwood V example, print its summary.
run: build
	@./$(BUILD)/stipple plan $(EXAMPLE) --out out/norwood-v
	@echo
	@./$(BUILD)/stipple render $(EXAMPLE) --view front --at healed --size 1024 --compare --quiet --out out/norwood-v/before-after-front.png
	@./$(BUILD)/stipple render $(EXAMPLE) --view top --at healed --size 1024 --compare --quiet --out out/norwood-v/before-after-top.png
	@./$(BUILD)/stipple render $(EXAMPLE) --yaw 30 --pitch 35 --size 768 --strip sessions --quiet --out out/norwood-v/sessions.png
	@./$(BUILD)/stipple render $(EXAMPLE) --yaw 30 --pitch 35 --size 768 --strip years --quiet --out out/norwood-v/years.png
	@echo "Previews:"
	@echo "  out/norwood-v/before-after-front.png"
	@echo "  out/norwood-v/before-after-top.png"
	@echo "  out/norwood-v/sessions.png"
	@echo "  out/norwood-v/years.png"

test-assets:
	@scripts/fetch-test-assets.sh $(BUILD)/test-assets

test: build test-assets
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer (CI runs this too).
test-sanitize: deps
	@scripts/fetch-test-assets.sh $(ASAN_BUILD)/test-assets
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTIPPLE_SANITIZE=ON -DSTIPPLE_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

# A short libFuzzer run of the plan parser (clang), seeded with the examples and the bad plans.
fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTIPPLE_FUZZ=ON -DSTIPPLE_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target plan_fuzzer photo_fuzzer
	@mkdir -p $(FUZZ_BUILD)/corpus && cp examples/*.json tests/data/bad-plans/*.json $(FUZZ_BUILD)/corpus/ 2>/dev/null || true
	@./$(FUZZ_BUILD)/plan_fuzzer -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384 -dict=fuzz/plan.dict $(FUZZ_BUILD)/corpus
	@mkdir -p $(FUZZ_BUILD)/photo-corpus && cp fuzz/photo-seeds/* tests/data/photos/*.json $(FUZZ_BUILD)/photo-corpus/ 2>/dev/null || true
	@./$(FUZZ_BUILD)/photo_fuzzer -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 $(FUZZ_BUILD)/photo-corpus

bench:
	@scripts/install-deps.sh --bench
	@bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) out
