from .multitask_data_sample import MultiTaskDataSample, stack_task_field

__all__ = ['MultiTaskDataSample', 'stack_task_field']
