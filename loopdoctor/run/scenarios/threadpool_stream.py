"""The thread pool, with streamed completions."""

from loopdoctor.run.scenarios.threadpool import scenario as unstreamed

scenario = unstreamed.streaming()
