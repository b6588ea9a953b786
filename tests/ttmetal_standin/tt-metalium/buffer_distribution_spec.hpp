// Stand-in (see ../README.md): tt-metalium/buffer_distribution_spec.hpp,
// reduced to the cores a distribution spreads over.
#pragma once

#include <tt-metalium/core_coord.hpp>

#include <vector>

namespace tt::tt_metal {

class BufferDistributionSpec {
public:
    explicit BufferDistributionSpec(std::vector<CoreCoord> cores) : cores_(std::move(cores)) {}
    std::size_t num_cores() const { return cores_.size(); }
    const std::vector<CoreCoord>& cores() const { return cores_; }

private:
    std::vector<CoreCoord> cores_;
};

}  // namespace tt::tt_metal
