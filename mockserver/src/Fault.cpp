#include "pop3/mock/Fault.h"

namespace pop3::mock {

const FaultSpec& faultSpec(Fault fault) {
    for (const FaultSpec& spec : kFaultTable)
        if (spec.fault == fault)
            return spec;
    return kFaultTable.front();
}

const FaultSpec* findFault(std::string_view name) {
    for (const FaultSpec& spec : kFaultTable)
        if (spec.name == name)
            return &spec;
    return nullptr;
}

std::string_view toString(Fault fault) {
    return faultSpec(fault).name;
}

} // namespace pop3::mock
