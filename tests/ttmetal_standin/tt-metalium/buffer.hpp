// Stand-in (see ../README.md): tt-metalium/buffer.hpp. Buffer is final and
// its accessors other than the trivial ones are defined in the library, as
// upstream. Allocation reports to GraphTracker on the calling thread.
#pragma once

#include <tt-metalium/buffer_distribution_spec.hpp>
#include <tt-metalium/buffer_types.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/device.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace tt::tt_metal {

struct ShardSpec {
    CoreRangeSet grid;
    std::array<uint32_t, 2> shape;
    ShardSpec(const CoreRangeSet& core_sets, const std::array<uint32_t, 2>& shard_shape) :
        grid(core_sets), shape(shard_shape) {}
};

struct ShardSpecBuffer {
    ShardSpec tensor_shard_spec;
    ShardSpecBuffer(const ShardSpec& spec) : tensor_shard_spec(spec) {}
    CoreRangeSet grid() const { return tensor_shard_spec.grid; }
};

class Buffer final : public std::enable_shared_from_this<Buffer> {
public:
    // Stand-in only: what the allocator decided. `address` 0 models a
    // buffer hooked during a NO_DISPATCH capture. `per_bank` is
    // aligned_size_per_bank(). Fires track_allocate on the calling thread;
    // destruction fires track_deallocate.
    static std::shared_ptr<Buffer> create_standin(IDevice* device, BufferType type, TensorMemoryLayout layout,
                                                  DeviceAddr address, DeviceAddr size, DeviceAddr page_size,
                                                  DeviceAddr per_bank, std::optional<ShardSpecBuffer> shard_spec,
                                                  std::optional<BufferDistributionSpec> distribution);

    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    IDevice* device() const { return device_; }
    DeviceAddr size() const { return size_; }
    uint32_t address() const;
    DeviceAddr page_size() const;
    BufferType buffer_type() const { return buffer_type_; }
    TensorMemoryLayout buffer_layout() const { return buffer_layout_; }
    DeviceAddr aligned_size_per_bank() const;

    const std::optional<BufferDistributionSpec>& buffer_distribution_spec() const;
    bool has_shard_spec() const { return shard_spec_.has_value(); }
    ShardSpecBuffer shard_spec() const;
    std::optional<uint32_t> num_cores() const;

    struct Private {};
    Buffer(Private, IDevice* device, BufferType type, TensorMemoryLayout layout, DeviceAddr address, DeviceAddr size,
           DeviceAddr page_size, DeviceAddr per_bank, std::optional<ShardSpecBuffer> shard_spec,
           std::optional<BufferDistributionSpec> distribution);

private:
    IDevice* device_;
    BufferType buffer_type_;
    TensorMemoryLayout buffer_layout_;
    DeviceAddr address_, size_, page_size_, per_bank_;
    std::optional<ShardSpecBuffer> shard_spec_;
    std::optional<BufferDistributionSpec> distribution_;
};

}  // namespace tt::tt_metal
