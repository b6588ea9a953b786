// Stand-in for TT-Metal's public headers, written for l1top's interface
// tests: only the types and members the l1top adapter uses, with the names
// and signatures of tt_metal/api/tt-metalium (graph_tracking.hpp,
// buffer.hpp, core_coord.hpp, device.hpp). It lets the adapter compile and
// run here without TT-Metal; it is not TT-Metal and models no hardware.
#pragma once

#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tt {
enum class ARCH { GRAYSKULL = 1, WORMHOLE_B0 = 2, BLACKHOLE = 3, Invalid = 0xFF };
}  // namespace tt

namespace tt::tt_metal {

using ChipId = int;
using DeviceAddr = uint64_t;

struct CoreCoord {
    std::size_t x = 0, y = 0;
};

struct CoreRange {
    CoreCoord start_coord, end_coord;
};

class CoreRangeSet {
public:
    CoreRangeSet() = default;
    explicit CoreRangeSet(std::vector<CoreRange> r) : ranges_(std::move(r)) {}
    const std::vector<CoreRange>& ranges() const { return ranges_; }

private:
    std::vector<CoreRange> ranges_;
};

enum class BufferType { DRAM, L1, SYSTEM_MEMORY, L1_SMALL, TRACE };
enum class TensorMemoryLayout { INTERLEAVED = 0, HEIGHT_SHARDED = 2, WIDTH_SHARDED = 3, BLOCK_SHARDED = 4 };

class IDevice {
public:
    virtual ~IDevice() = default;
    virtual ChipId id() const = 0;
    virtual tt::ARCH arch() const = 0;
    virtual CoreCoord compute_with_storage_grid_size() const = 0;
};

class ShardSpecBuffer {
public:
    ShardSpecBuffer() = default;
    explicit ShardSpecBuffer(CoreRangeSet g) : grid_(std::move(g)) {}
    const CoreRangeSet& grid() const { return grid_; }

private:
    CoreRangeSet grid_;
};

// The members of tt::tt_metal::Buffer the adapter reads; here plain data.
class Buffer {
public:
    IDevice* device_ = nullptr;
    DeviceAddr size_ = 0, page_size_ = 0, aligned_size_per_bank_ = 0;
    uint32_t address_ = 0;
    BufferType type_ = BufferType::L1;
    TensorMemoryLayout layout_ = TensorMemoryLayout::INTERLEAVED;
    std::optional<ShardSpecBuffer> shard_;

    IDevice* device() const { return device_; }
    DeviceAddr size() const { return size_; }
    uint32_t address() const { return address_; }
    DeviceAddr page_size() const { return page_size_; }
    BufferType buffer_type() const { return type_; }
    TensorMemoryLayout buffer_layout() const { return layout_; }
    DeviceAddr aligned_size_per_bank() const { return aligned_size_per_bank_; }
    bool has_shard_spec() const { return shard_.has_value(); }
    ShardSpecBuffer shard_spec() const { return *shard_; }
};

class Program;

struct TrackedArgument {
    std::any value;
    std::string (*to_string_fn)(const std::any&);
};

struct StandInJson {};  // end_capture returns nlohmann::json upstream; unused by l1top

class IGraphProcessor {
public:
    enum class RunMode { NORMAL, NO_DISPATCH };
    IGraphProcessor() = default;
    virtual bool is_capture_processor() const { return true; }
    virtual void track_allocate(const tt::tt_metal::Buffer*) {}
    virtual void track_deallocate(tt::tt_metal::Buffer*) {}
    virtual void track_allocate_cb(const CoreRangeSet&, uint64_t, uint64_t, bool, const IDevice*) {}
    virtual void track_deallocate_cb(const IDevice*) {}
    virtual void track_program(tt::tt_metal::Program*, const IDevice*) {}
    virtual void track_function_start(std::string_view, std::span<TrackedArgument>) {}
    virtual void track_function_end() {}
    virtual void track_function_end(const std::any&) {}
    virtual void begin_capture(RunMode) {}
    virtual StandInJson end_capture() { return {}; }
    virtual ~IGraphProcessor() = default;
};

// Upstream: a process-wide singleton fanning events out to processors.
class GraphTracker {
public:
    static GraphTracker& instance() {
        static GraphTracker t;
        return t;
    }
    void push_processor(const std::shared_ptr<IGraphProcessor>& p) { processors_.push_back(p); }
    void pop_processor() { processors_.pop_back(); }
    const std::vector<std::shared_ptr<IGraphProcessor>>& get_processors() const { return processors_; }

private:
    std::vector<std::shared_ptr<IGraphProcessor>> processors_;
};

}  // namespace tt::tt_metal
