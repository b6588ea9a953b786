// Stand-in (see ../README.md): tt-metalium/graph_tracking.hpp, with the
// hooks of upstream main after 622c6fb9 (dataflow buffers, scratchpads), so
// the adapter's build is exercised both with them (here) and without them
// (the real 622c6fb9 headers). As upstream: IGraphProcessor's key function
// end_capture() and every GraphTracker member not shown inline are defined
// in the library, and the processor stack is thread-local.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <any>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tt-metalium/buffer.hpp>
#include <tt-metalium/core_coord.hpp>

namespace tt::tt_metal {

class Program;

struct TrackedArgument {
    std::any value;
    std::string (*to_string_fn)(const std::any&);
};

class IGraphProcessor {
public:
    enum class RunMode { NORMAL, NO_DISPATCH };

    IGraphProcessor() = default;
    virtual bool is_capture_processor() const { return true; }
    virtual void track_allocate(const tt::tt_metal::Buffer* /*buffer*/) {};
    virtual void track_deallocate(tt::tt_metal::Buffer* /*buffer*/) {};
    virtual void track_allocate_cb(const CoreRangeSet& /*core_range_set*/, uint64_t /*addr*/, uint64_t /*size*/,
                                   bool /*is_globally_allocated*/, const IDevice* /*device*/) {};
    virtual void track_allocate_dataflow_buffer(const CoreRangeSet& /*core_range_set*/, uint64_t /*addr*/,
                                                uint64_t /*size*/, bool /*borrows_memory*/,
                                                const IDevice* /*device*/) {};
    virtual void track_allocate_scratchpad(const CoreRangeSet& /*core_range_set*/, uint64_t /*addr*/,
                                           uint64_t /*size*/, const IDevice* /*device*/) {};
    virtual void track_deallocate_cb(const IDevice* /*device*/) {};
    virtual void track_program(tt::tt_metal::Program* /*program*/, const IDevice* /*device*/) {};
    virtual void track_function_start(std::string_view /*function_name*/,
                                      std::span<TrackedArgument> /*input_parameters*/) {};
    virtual void track_function_end() {};
    virtual void track_function_end(const std::any& /*output_tensors*/) {};
    virtual void begin_capture(RunMode /*mode*/) {};
    virtual nlohmann::json end_capture();
    virtual ~IGraphProcessor() = default;
};

class GraphTracker {
public:
    GraphTracker(const GraphTracker&) = delete;
    static GraphTracker& instance();

    bool is_enabled() const;
    void push_processor(const std::shared_ptr<IGraphProcessor>& processor);
    void pop_processor();

    void track_allocate(const Buffer* buffer);
    void track_deallocate(Buffer* buffer);
    void track_allocate_cb(const CoreRangeSet& core_range_set, uint64_t addr, uint64_t size,
                           bool is_globally_allocated, const IDevice* device);
    void track_allocate_dataflow_buffer(const CoreRangeSet& core_range_set, uint64_t addr, uint64_t size,
                                        bool borrows_memory, const IDevice* device);
    void track_allocate_scratchpad(const CoreRangeSet& core_range_set, uint64_t addr, uint64_t size,
                                   const IDevice* device);
    void track_deallocate_cb(const IDevice* device);
    void track_program(Program* program, const IDevice* device);

    template <class... Args>
    void track_function_start(std::string_view function_name, Args&&... args) {
        if (processors.empty())
            return;
        std::array<TrackedArgument, sizeof...(Args)> params{TrackedArgument{std::any(std::ref(args)), nullptr}...};
        for (auto& it : processors)
            it->track_function_start(function_name, params);
    }
    void track_function_end() {
        for (auto& it : processors)
            it->track_function_end();
    }

    const std::vector<std::shared_ptr<IGraphProcessor>>& get_processors() const;

private:
    GraphTracker() = default;
    ~GraphTracker() = default;
    static thread_local std::vector<std::shared_ptr<IGraphProcessor>> processors;
};

}  // namespace tt::tt_metal
