"""The thread pool, with streamed completions."""

from loopdoctor.scenarios.threadpool import scenario as unstreamed

scenario = unstreamed.streaming()
