// Stand-in (see ../README.md): tt-metalium/mesh_device.hpp. A MeshDevice is
// an IDevice with its own id; its chips come from get_devices(), defined in
// the library (as is the class's key function, so its typeinfo too).
#pragma once

#include <tt-metalium/device.hpp>
#include <tt-metalium/mesh_coord.hpp>
#include <tt-metalium/mesh_device_view.hpp>

#include <memory>
#include <vector>

namespace tt::tt_metal::distributed {

class MeshDevice : public IDevice, public std::enable_shared_from_this<MeshDevice> {
public:
    // Stand-in only: a mesh over chips that the caller keeps alive, laid
    // out row-major on `rows` rows (1: a line).
    MeshDevice(ChipId id, std::vector<IDevice*> chips, uint32_t rows = 1);
    ~MeshDevice() override;

    tt::ARCH arch() const override;
    ChipId id() const override;
    std::uint32_t l1_size_per_core() const override;
    CoreCoord compute_with_storage_grid_size() const override;
    std::shared_ptr<MeshDevice> get_mesh_device() override;

    std::vector<IDevice*> get_devices() const;
    std::size_t num_devices() const;
    const MeshDeviceView& get_view() const;

private:
    ChipId id_;
    std::vector<IDevice*> chips_;
    MeshDeviceView view_;
};

}  // namespace tt::tt_metal::distributed
