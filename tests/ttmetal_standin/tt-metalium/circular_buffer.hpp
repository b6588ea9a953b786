// Stand-in (see ../README.md): tt-metalium/circular_buffer.hpp. address()
// is defined in the library and throws until the program allocated it.
#pragma once

#include <tt-metalium/core_coord.hpp>

#include <cstdint>
#include <optional>

namespace tt::tt_metal {

class CircularBuffer {
public:
    // Stand-in only: `global_address` set models a CB placed on a tensor.
    CircularBuffer(const CoreRangeSet& core_ranges, uint32_t total_size, std::optional<uint32_t> global_address);

    const CoreRangeSet& core_ranges() const { return core_ranges_; }
    bool globally_allocated() const { return global_address_.has_value(); }
    uint32_t size() const { return size_; }
    uint32_t address() const;
    void set_locally_allocated_address(uint32_t address) { local_address_ = address; }

private:
    CoreRangeSet core_ranges_;
    uint32_t size_;
    std::optional<uint32_t> global_address_;
    std::optional<uint32_t> local_address_;
};

}  // namespace tt::tt_metal
