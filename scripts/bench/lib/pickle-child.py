# CPython's C unpickler on a benign stream, with a find_class that admits only the globals the stream uses
# (passed as module.name arguments). Prints {"wall", "cpu", "peakMiB"} as JSON. Run with Debian's /usr/bin/python3.
import json, pickle, resource, sys, time

path, allowed = sys.argv[1], {tuple(a.rsplit('.', 1)) for a in sys.argv[2:]}


class OnlyThese(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in allowed:
            raise pickle.UnpicklingError(f'{module}.{name} is not admitted')
        return super().find_class(module, name)


w0, c0 = time.perf_counter(), time.process_time()
with open(path, 'rb') as f:
    OnlyThese(f).load()
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
print(json.dumps({'wall': wall, 'cpu': cpu, 'peakMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
