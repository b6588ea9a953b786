// Stand-in (see ../README.md): tt-metalium/device.hpp. IDevice is abstract,
// as upstream; ARCH comes from tt-umd, which no longer has GRAYSKULL.
#pragma once

#include <tt-metalium/core_coord.hpp>

#include <cstdint>
#include <memory>

namespace tt {
enum class ARCH {
    WORMHOLE_B0 = 2,
    BLACKHOLE = 3,
    QUASAR = 4,
    Invalid = 0xFF,
};
}  // namespace tt

namespace tt::tt_metal {

using ChipId = int;
using DeviceAddr = std::uint64_t;

namespace distributed {
class MeshDevice;
}

class IDevice {
public:
    IDevice() = default;
    virtual ~IDevice() = default;
    IDevice(const IDevice&) = delete;
    IDevice& operator=(const IDevice&) = delete;

    virtual tt::ARCH arch() const = 0;
    virtual ChipId id() const = 0;
    virtual std::uint32_t l1_size_per_core() const = 0;
    virtual CoreCoord compute_with_storage_grid_size() const = 0;
    virtual std::shared_ptr<distributed::MeshDevice> get_mesh_device() = 0;
};

// Stand-in only: a chip (upstream's Device lives in the library too).
std::unique_ptr<IDevice> CreateDeviceStandin(ChipId id, tt::ARCH arch, std::size_t grid_x, std::size_t grid_y);

}  // namespace tt::tt_metal
