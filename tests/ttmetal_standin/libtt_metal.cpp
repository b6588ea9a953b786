// The stand-in libtt_metal.so (see README.md): everything the stand-in
// headers declare out of line. Not TT-Metal; no hardware.
#include <tt-metalium/buffer.hpp>
#include <tt-metalium/circular_buffer.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/graph_tracking.hpp>
#include <tt-metalium/mesh_device.hpp>
#include <tt-metalium/program.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <thread>

namespace tt::tt_metal {

// ---- GraphTracker: the processor stack is per thread, as upstream ----

thread_local std::vector<std::shared_ptr<IGraphProcessor>> GraphTracker::processors;

nlohmann::json IGraphProcessor::end_capture() { return nlohmann::json::object(); }

GraphTracker& GraphTracker::instance() {
    static GraphTracker tracker;
    return tracker;
}

bool GraphTracker::is_enabled() const {
    for (const auto& p : processors)
        if (p->is_capture_processor())
            return true;
    return false;
}

void GraphTracker::push_processor(const std::shared_ptr<IGraphProcessor>& p) { processors.push_back(p); }
void GraphTracker::pop_processor() {
    if (!processors.empty())
        processors.pop_back();
}
const std::vector<std::shared_ptr<IGraphProcessor>>& GraphTracker::get_processors() const { return processors; }

void GraphTracker::track_allocate(const Buffer* b) {
    for (auto& p : processors)
        p->track_allocate(b);
}
void GraphTracker::track_deallocate(Buffer* b) {
    for (auto& p : processors)
        p->track_deallocate(b);
}
void GraphTracker::track_allocate_cb(const CoreRangeSet& crs, uint64_t addr, uint64_t size, bool global,
                                     const IDevice* d) {
    for (auto& p : processors)
        p->track_allocate_cb(crs, addr, size, global, d);
}
void GraphTracker::track_allocate_dataflow_buffer(const CoreRangeSet& crs, uint64_t addr, uint64_t size,
                                                  bool borrows, const IDevice* d) {
    for (auto& p : processors)
        p->track_allocate_dataflow_buffer(crs, addr, size, borrows, d);
}
void GraphTracker::track_allocate_scratchpad(const CoreRangeSet& crs, uint64_t addr, uint64_t size,
                                             const IDevice* d) {
    for (auto& p : processors)
        p->track_allocate_scratchpad(crs, addr, size, d);
}
void GraphTracker::track_deallocate_cb(const IDevice* d) {
    for (auto& p : processors)
        p->track_deallocate_cb(d);
}
void GraphTracker::track_program(Program* program, const IDevice* d) {
    for (auto& p : processors)
        p->track_program(program, d);
}

// ---- devices ----

namespace {
class StandinChip final : public IDevice {
public:
    StandinChip(ChipId id, tt::ARCH arch, std::size_t gx, std::size_t gy) : id_(id), arch_(arch), grid_{gx, gy} {}
    tt::ARCH arch() const override { return arch_; }
    ChipId id() const override { return id_; }
    std::uint32_t l1_size_per_core() const override {
        return arch_ == tt::ARCH::BLACKHOLE ? 1536u * 1024u : 1464u * 1024u;
    }
    CoreCoord compute_with_storage_grid_size() const override { return grid_; }
    std::shared_ptr<distributed::MeshDevice> get_mesh_device() override { return nullptr; }

private:
    ChipId id_;
    tt::ARCH arch_;
    CoreCoord grid_;
};
}  // namespace

std::unique_ptr<IDevice> CreateDeviceStandin(ChipId id, tt::ARCH arch, std::size_t gx, std::size_t gy) {
    return std::make_unique<StandinChip>(id, arch, gx, gy);
}

namespace distributed {
namespace {
std::vector<std::pair<ChipId, MeshCoordinate>> row_major(const std::vector<IDevice*>& chips, uint32_t rows) {
    std::vector<std::pair<ChipId, MeshCoordinate>> out;
    uint32_t cols = rows ? static_cast<uint32_t>((chips.size() + rows - 1) / rows) : 1;
    for (std::size_t i = 0; i < chips.size(); i++)
        out.emplace_back(chips[i]->id(), MeshCoordinate(static_cast<uint32_t>(i / cols), static_cast<uint32_t>(i % cols)));
    return out;
}
}  // namespace

MeshCoordinate::MeshCoordinate(uint32_t c) : value_{c} {}
MeshCoordinate::MeshCoordinate(uint32_t c0, uint32_t c1) : value_{c0, c1} {}
MeshCoordinate::MeshCoordinate(uint32_t c0, uint32_t c1, uint32_t c2) : value_{c0, c1, c2} {}
size_t MeshCoordinate::dims() const { return value_.size(); }
uint32_t MeshCoordinate::operator[](int32_t dim) const { return value_.at(dim < 0 ? value_.size() + dim : dim); }
uint32_t& MeshCoordinate::operator[](int32_t dim) { return value_.at(dim < 0 ? value_.size() + dim : dim); }

MeshDeviceView::MeshDeviceView(std::vector<std::pair<ChipId, MeshCoordinate>> places) : places_(std::move(places)) {}
MeshCoordinate MeshDeviceView::find_device(ChipId device_id) const {
    for (const auto& p : places_)
        if (p.first == device_id)
            return p.second;
    throw std::runtime_error("no device with this id on the mesh");
}

MeshDevice::MeshDevice(ChipId id, std::vector<IDevice*> chips, uint32_t rows) :
    id_(id), chips_(std::move(chips)), view_(row_major(chips_, rows)) {}
const MeshDeviceView& MeshDevice::get_view() const { return view_; }
MeshDevice::~MeshDevice() = default;
tt::ARCH MeshDevice::arch() const { return chips_.front()->arch(); }
ChipId MeshDevice::id() const { return id_; }
std::uint32_t MeshDevice::l1_size_per_core() const { return chips_.front()->l1_size_per_core(); }
CoreCoord MeshDevice::compute_with_storage_grid_size() const { return chips_.front()->compute_with_storage_grid_size(); }
std::shared_ptr<MeshDevice> MeshDevice::get_mesh_device() { return shared_from_this(); }
std::vector<IDevice*> MeshDevice::get_devices() const { return chips_; }
std::size_t MeshDevice::num_devices() const { return chips_.size(); }
}  // namespace distributed

// ---- buffers ----

Buffer::Buffer(Private, IDevice* device, BufferType type, TensorMemoryLayout layout, DeviceAddr address,
               DeviceAddr size, DeviceAddr page_size, DeviceAddr per_bank, std::optional<ShardSpecBuffer> shard_spec,
               std::optional<BufferDistributionSpec> distribution) :
    device_(device), buffer_type_(type), buffer_layout_(layout), address_(address), size_(size),
    page_size_(page_size), per_bank_(per_bank), shard_spec_(std::move(shard_spec)),
    distribution_(std::move(distribution)) {}

std::shared_ptr<Buffer> Buffer::create_standin(IDevice* device, BufferType type, TensorMemoryLayout layout,
                                               DeviceAddr address, DeviceAddr size, DeviceAddr page_size,
                                               DeviceAddr per_bank, std::optional<ShardSpecBuffer> shard_spec,
                                               std::optional<BufferDistributionSpec> distribution) {
    auto b = std::make_shared<Buffer>(Private{}, device, type, layout, address, size, page_size, per_bank,
                                      std::move(shard_spec), std::move(distribution));
    GraphTracker::instance().track_allocate(b.get());
    return b;
}

Buffer::~Buffer() { GraphTracker::instance().track_deallocate(this); }
uint32_t Buffer::address() const { return static_cast<uint32_t>(address_); }
DeviceAddr Buffer::page_size() const { return page_size_; }
DeviceAddr Buffer::aligned_size_per_bank() const { return per_bank_; }
const std::optional<BufferDistributionSpec>& Buffer::buffer_distribution_spec() const { return distribution_; }
ShardSpecBuffer Buffer::shard_spec() const {
    if (!shard_spec_)
        throw std::runtime_error("Buffer has no shard spec");
    return *shard_spec_;
}
std::optional<uint32_t> Buffer::num_cores() const {
    if (distribution_)
        return static_cast<uint32_t>(distribution_->num_cores());
    return std::nullopt;
}

// ---- programs and their CBs ----

CircularBuffer::CircularBuffer(const CoreRangeSet& core_ranges, uint32_t total_size,
                               std::optional<uint32_t> global_address) :
    core_ranges_(core_ranges), size_(total_size), global_address_(global_address) {}

uint32_t CircularBuffer::address() const {
    if (global_address_)
        return *global_address_;
    if (!local_address_)
        throw std::runtime_error("Circular buffer has not been allocated");
    return *local_address_;
}

Program::Program() = default;
Program::~Program() noexcept = default;
std::span<const std::shared_ptr<CircularBuffer>> Program::circular_buffers() const { return cbs_; }
void Program::add_circular_buffer(std::shared_ptr<CircularBuffer> cb) { cbs_.push_back(std::move(cb)); }

void EnqueueProgram(IDevice* chip, Program& program, uint32_t cb_base) {
    GraphTracker::instance().track_program(&program, chip);
    bool first = false;
    for (const auto& cb : program.circular_buffers()) {
        try {
            (void)cb->address();
        } catch (const std::runtime_error&) {
            first = true;
        }
    }
    if (!first)
        return;  // cached: its CBs keep their addresses, nothing is reported
    std::thread worker([&] {
        uint32_t next = cb_base;
        for (const auto& cb : program.circular_buffers()) {
            if (cb->globally_allocated()) {
                GraphTracker::instance().track_allocate_cb(cb->core_ranges(), cb->address(), cb->size(), true, chip);
                continue;
            }
            cb->set_locally_allocated_address(next);
            GraphTracker::instance().track_allocate_cb(cb->core_ranges(), next, cb->size(), false, chip);
            next += cb->size();
        }
    });
    worker.join();
}

}  // namespace tt::tt_metal
